namespace BuzzTalk.Publishing.SpotFleet;

/// <summary>The Deployer's exit code of the deploy step, which the AppHost exits with (a failed step alone would exit 0).</summary>
public sealed class DeployOutcome
{
    public int? ExitCode { get; private set; }

    public string? Summary { get; private set; }

    public void Finish(int exitCode, string summary)
    {
        ExitCode = exitCode;
        Summary = summary;
    }
}
