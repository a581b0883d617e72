namespace BuzzTalk.Deployer.Cli;

/// <summary>How the CLI prints results: tables and progress for people, JSON for machines.</summary>
public enum OutputFormat
{
    Human,
    Json,
}
