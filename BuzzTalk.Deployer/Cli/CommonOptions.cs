using System.CommandLine;

namespace BuzzTalk.Deployer.Cli;

/// <summary>Options more than one command takes, described once; each command gets its own instance.</summary>
internal static class CommonOptions
{
    public static Option<DirectoryInfo> Bundle() => new("--bundle") { Description = "The published bundle directory.", Required = true };

    public static Option<string?> Services() =>
        new("--services") { Description = "Comma-separated services (e.g. backend,frontend); default: the whole stack." };

    public static Option<string?> ImageTag() => new("--image-tag") { Description = "Image tag for the services." };

    public static Option<int> Parallel() => new("--parallel") { Description = "Instances at a time.", DefaultValueFactory = _ => 1 };

    public static Option<int> MaxFailures() =>
        new("--max-failures") { Description = "Failed instances tolerated before no new instance starts.", DefaultValueFactory = _ => 0 };

    /// <summary>The services of a <c>--services</c> value; null (the whole stack) when not given.</summary>
    public static IReadOnlyList<string>? Split(string? services) =>
        services is null ? null : [.. services.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)];
}
