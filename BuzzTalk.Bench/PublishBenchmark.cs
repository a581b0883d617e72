using System.Diagnostics;
using System.Globalization;
using BuzzTalk.Testing;

namespace BuzzTalk.Bench;

/// <summary>
/// Publish time for the full bundle: the whole command as a user runs it (process start, model,
/// Aspire pipeline, every file written).
/// </summary>
public static class PublishBenchmark
{
#if DEBUG
    private const string Configuration = "Debug";
#else
    private const string Configuration = "Release";
#endif

    public static async Task<int> RunAsync(string repositoryRoot, int runs, TextWriter output, CancellationToken cancellationToken)
    {
        // The AppHost as built beside the benchmark (same configuration).
        var appHost = Path.Combine(repositoryRoot, "BuzzTalk.AppHost", "bin", Configuration, "net10.0", "BuzzTalk.AppHost.dll");
        using var scratch = new ScratchDirectory();
        var command = new List<double>();
        for (var i = 0; i < runs; i++)
        {
            var dir = Path.Combine(scratch.Path, $"run{i}");
            var started = Stopwatch.GetTimestamp();
            var (exit, log) = await ToolRun.RunAsync("dotnet", scratch.Path,
                appHost, "--operation", "publish", "--step", "publish", "--output-path", dir, "--Parameters:public-url=http://203.0.113.10");
            if (exit != 0)
            {
                await output.WriteLineAsync(log);
                return 1;
            }

            command.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
            await output.WriteLineAsync(string.Create(CultureInfo.InvariantCulture, $"run {i + 1}: publish command {command[^1]:F0} ms"));
        }

        var files = Directory.EnumerateFiles(Path.Combine(scratch.Path, "run0"), "*", SearchOption.AllDirectories).ToList();
        var bytes = files.Sum(f => new FileInfo(f).Length);

        await output.WriteLineAsync();
        await output.WriteLineAsync(string.Create(CultureInfo.InvariantCulture, $"bundle: {files.Count} files, {bytes / 1024.0:F1} KiB"));
        await output.WriteLineAsync("| case | runs | min ms | median ms | max ms |");
        await output.WriteLineAsync("|---|---|---|---|---|");
        await Row(output, "publish command (dotnet BuzzTalk.AppHost.dll --operation publish)", command);
        return 0;
    }

    private static Task Row(TextWriter output, string name, List<double> ms)
    {
        var sorted = ms.Order().ToList();
        return output.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
            $"| {name} | {sorted.Count} | {sorted[0]:F1} | {sorted[sorted.Count / 2]:F1} | {sorted[^1]:F1} |"));
    }
}
