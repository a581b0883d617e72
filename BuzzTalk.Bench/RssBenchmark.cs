using System.Diagnostics;
using System.Globalization;

namespace BuzzTalk.Bench;

/// <summary>
/// Idle resident memory of each C# service, published as it ships (Native AOT) and as a
/// framework-dependent JIT build for comparison: start, answer a health check and a metrics
/// scrape, stay idle, then read <c>VmRSS</c> from <c>/proc</c>. Discovery runs its GCP
/// provider against the Compute API fake and must have served its inventory first, which also
/// proves the Native AOT build obtains tokens and parses Compute answers. <c>/proc/&lt;pid&gt;/smaps_rollup</c>
/// splits the figure: file-backed pages (the binary's own, clean and reclaimable) and anonymous ones
/// (GC heap, runtime data, stacks), which call for different levers.
/// </summary>
public static class RssBenchmark
{
    private static readonly string[] s_services = ["BuzzTalk.Discovery", "BuzzTalk.Scaler", "BuzzTalk.Deployer"];

    public static async Task<int> RunAsync(string repository, TimeSpan idle, IReadOnlyList<string> only, bool aotOnly, TextWriter output, CancellationToken cancellationToken)
    {
        var work = Directory.CreateTempSubdirectory("bt-rss-");
        await using var gcp = await FakeGcpProcess.StartAsync(instances: 20, zones: 3, work.FullName, cancellationToken);
        try
        {
            output.WriteLine($"| service | build | idle RSS MB (after {idle.TotalSeconds:F0} s) | file-backed MB | anonymous MB |");
            output.WriteLine("|---|---|---|---|---|");
            foreach (var service in s_services.Where(s => only.Count == 0 || only.Contains(s)))
            {
                foreach (var (build, aot) in new[] { ("Native AOT (shipped)", true), ("JIT, Release", false) })
                {
                    if (aotOnly && !aot)
                    {
                        continue;
                    }

                    var dir = Path.Combine(work.FullName, service + (aot ? "-aot" : "-jit"));
                    await PublishAsync(repository, service, dir, aot, cancellationToken);
                    var (environment, ready) = service == "BuzzTalk.Discovery"
                        ? (gcp.DiscoveryConfiguration(pageSize: 500), "/sd/targets")
                        : (new Dictionary<string, string?>(), "/health");
                    var (rss, anonymous) = await MeasureAsync(Path.Combine(dir, service), environment, ready, idle, cancellationToken);
                    output.WriteLine($"| {service} | {build} | {rss / 1024.0:F1} | {(rss - anonymous) / 1024.0:F1} | {anonymous / 1024.0:F1} |");
                }
            }

            return 0;
        }
        finally
        {
            work.Delete(recursive: true);
        }
    }

    /// <summary><c>dotnet publish</c> of a service for linux-x64: Native AOT as it ships, or framework-dependent JIT.</summary>
    internal static async Task PublishAsync(string repository, string service, string output, bool aot, CancellationToken cancellationToken)
    {
        var project = Path.Combine(repository, service, service + ".csproj");
        var exit = await RunAsync("dotnet",
            // One MSBuild node: the machine has two cores, shared with whatever else runs on it.
            ["publish", project, "-c", "Release", "-r", "linux-x64", "-o", output, "-m:1", $"-p:PublishAot={aot}", "--self-contained", aot ? "true" : "false", "-v", "quiet", "-nologo"],
            cancellationToken);
        if (exit != 0)
        {
            throw new InvalidOperationException($"dotnet publish of {service} exited {exit}");
        }
    }

    /// <summary>Resident kB in all and the anonymous part of them; the rest is file-backed.</summary>
    private static async Task<(long Rss, long Anonymous)> MeasureAsync(
        string executable, Dictionary<string, string?> configuration, string readyPath, TimeSpan idle, CancellationToken cancellationToken)
    {
        configuration["Logging:LogLevel:Default"] = "Warning";
        // The Deployer is one binary for CLI and service: `serve` is the service.
        await using var service = await ServiceProcess.StartAsync(executable, configuration, readyPath,
            Path.GetFileName(executable) == "BuzzTalk.Deployer" ? ["serve"] : [], cancellationToken);
        (await service.Http.GetAsync(new Uri("/metrics", UriKind.Relative), cancellationToken)).Dispose();
        await Task.Delay(idle, cancellationToken);
        return (ReadKilobytes($"/proc/{service.Id}/status", "VmRSS:"), ReadKilobytes($"/proc/{service.Id}/smaps_rollup", "Anonymous:"));
    }

    internal static long ReadKilobytes(string file, string field)
    {
        var line = File.ReadLines(file).Single(l => l.StartsWith(field, StringComparison.Ordinal));
        return long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture);
    }

    private static async Task<int> RunAsync(string command, string[] args, CancellationToken cancellationToken)
    {
        var start = new ProcessStartInfo(command);
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        using var process = Process.Start(start) ?? throw new InvalidOperationException($"could not start {command}");
        await process.WaitForExitAsync(cancellationToken);
        return process.ExitCode;
    }
}
