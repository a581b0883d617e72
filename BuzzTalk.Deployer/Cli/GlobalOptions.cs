using System.CommandLine;

namespace BuzzTalk.Deployer.Cli;

/// <summary>The options every command takes, and the <see cref="CommandContext"/> they make for one parsed command line.</summary>
public sealed class GlobalOptions(TextWriter stdout, TextWriter stderr)
{
    public Option<FileInfo?> Config { get; } = new("--config") { Description = "JSON settings file (section Deployer).", Recursive = true };

    public Option<OutputFormat> Format { get; } = new("--output")
    {
        Description = "human (default) or json.", Recursive = true, DefaultValueFactory = _ => OutputFormat.Human,
    };

    public Option<string[]> Instances { get; } = new("--instance")
    {
        Description = "Only these instances (by name); repeatable.", Recursive = true, AllowMultipleArgumentsPerToken = true,
    };

    public CommandContext ContextFor(ParseResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        return new(result.GetValue(Config), result.GetValue(Format), result.GetValue(Instances) ?? [], stdout, stderr);
    }
}
