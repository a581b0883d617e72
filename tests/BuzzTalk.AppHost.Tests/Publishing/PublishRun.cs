using BuzzTalk.Testing;

namespace BuzzTalk.AppHost.Tests.Publishing;

/// <summary>
/// Runs the real publish command (<c>BuzzTalk.AppHost --operation publish --step publish</c>) as
/// its own process, the way a user or CI runs it, and reads back what it wrote.
/// </summary>
public static class PublishRun
{
    public const string PublicUrl = "http://203.0.113.10";

    public static string AppHostAssembly => typeof(BuzzTalkStackExtensions).Assembly.Location;

    public static Task<(int ExitCode, string Output)> RunAsync(string outputPath, params string[] extraArgs) =>
        RunWithHomeAsync(outputPath, home: null, extraArgs);

    /// <summary>Publishes with HOME set to <paramref name="home"/>, to see what it leaves there.</summary>
    public static Task<(int ExitCode, string Output)> RunWithHomeAsync(string outputPath, string? home, params string[] extraArgs) =>
        ToolRun.RunAsync("dotnet", Path.GetTempPath(),
            home is null ? null : new Dictionary<string, string> { ["HOME"] = home, ["DOTNET_CLI_HOME"] = home },
            [AppHostAssembly, "--operation", "publish", "--step", "publish", "--output-path", outputPath, .. extraArgs]);

    /// <summary>Every file under the directory, by relative path with forward slashes.</summary>
    public static SortedDictionary<string, byte[]> ReadTree(string directory) =>
        new(Directory.EnumerateFiles(directory, "*", SearchOption.AllDirectories)
            .ToDictionary(f => Path.GetRelativePath(directory, f).Replace('\\', '/'), File.ReadAllBytes), StringComparer.Ordinal);
}
