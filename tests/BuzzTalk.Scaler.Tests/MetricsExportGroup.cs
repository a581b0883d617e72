namespace BuzzTalk.Scaler.Tests;

/// <summary>
/// Tests that read a Scaler's <c>/metrics</c> run alone: every Scaler host in the process
/// publishes a "BuzzTalk.Scaler" meter, and OpenTelemetry stops exporting a meter's instruments
/// once another meter of the same name is disposed (opentelemetry-dotnet#6412), which another
/// test's host ending meanwhile would do.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class MetricsExportGroup
{
    public const string Name = "Metrics export";
}
