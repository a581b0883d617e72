namespace BuzzTalk.Discovery.Tests;

/// <summary>
/// Tests that touch process-wide state run alone: environment variables (application default
/// credentials) and meters (every host in the process publishes a "BuzzTalk.Discovery" meter).
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class ProcessWideGroup
{
    public const string Name = "Process-wide state";
}
