using System.Diagnostics;
using System.Globalization;
using BuzzTalk.Discovery.Tests.Fakes;

namespace BuzzTalk.Bench;

/// <summary>
/// The Compute API fake in a child process of its own, so what is measured in this process
/// (time, allocations) or in a service (RSS) is the client's alone.
/// </summary>
public sealed class FakeGcpProcess : IAsyncDisposable
{
    public const string Project = "buzz-bench";
    private readonly Process _process;

    private FakeGcpProcess(Process process, Uri computeBaseUrl, string keyFile)
    {
        _process = process;
        ComputeBaseUrl = computeBaseUrl;
        KeyFile = keyFile;
    }

    public Uri ComputeBaseUrl { get; }

    public string KeyFile { get; }

    /// <summary>The fake's counters (Compute calls, bytes sent) as JSON.</summary>
    public Uri StatsUri => new(ComputeBaseUrl, "/_fake/stats");

    public static async Task<FakeGcpProcess> StartAsync(int instances, int zones, string directory, CancellationToken cancellationToken)
    {
        var start = new ProcessStartInfo(Environment.ProcessPath!) { RedirectStandardOutput = true };
        foreach (var arg in new[] { "serve-fake-gcp", "--instances", instances.ToString(CultureInfo.InvariantCulture), "--zones", zones.ToString(CultureInfo.InvariantCulture), "--dir", directory })
        {
            start.ArgumentList.Add(arg);
        }

        var process = Process.Start(start) ?? throw new InvalidOperationException("could not start the fake");
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        cts.CancelAfter(TimeSpan.FromSeconds(60));
        while (await process.StandardOutput.ReadLineAsync(cts.Token) is { } line)
        {
            if (line.StartsWith("READY ", StringComparison.Ordinal))
            {
                return new FakeGcpProcess(process, new Uri(line["READY ".Length..]), Path.Combine(directory, "key.json"));
            }
        }

        throw new InvalidOperationException("the fake exited before it was ready");
    }

    /// <summary>The child's side: serve until stdin closes or the process is killed.</summary>
    public static async Task<int> ServeAsync(int instances, int zones, string directory, CancellationToken cancellationToken)
    {
        await using var gcp = await FakeGcp.StartAsync(cancellationToken);
        var zoneNames = Enumerable.Range(0, zones).Select(z => $"us-central1-{(char)('a' + z)}").ToArray();
        gcp.SetInstances(Project, Enumerable.Range(0, instances).Select(i => new FakeInstance(
            $"vm-{i:D5}", zoneNames[i % zones], (1_000_000 + i).ToString(CultureInfo.InvariantCulture),
            $"10.0.{i / 250}.{i % 250 + 1}", $"127.1.{i / 250}.{i % 250 + 1}", Spot: i % 2 == 0)));
        await File.WriteAllTextAsync(Path.Combine(directory, "key.json"), gcp.ServiceAccountKeyJson(Project), cancellationToken);
        Console.WriteLine($"READY {gcp.ComputeBaseUrl}");
        await Task.Delay(Timeout.Infinite, cancellationToken);
        return 0;
    }

    /// <summary>Configuration that points Discovery at this fake with the key file.</summary>
    public Dictionary<string, string?> DiscoveryConfiguration(int pageSize) => new()
    {
        ["Discovery:Provider"] = "Gcp",
        ["Discovery:Gcp:ProjectId"] = Project,
        ["Discovery:Gcp:Credentials"] = "ServiceAccountKeyFile",
        ["Discovery:Gcp:KeyFile"] = KeyFile,
        ["Discovery:Gcp:ApiBaseUrl"] = ComputeBaseUrl.ToString(),
        ["Discovery:Gcp:PageSize"] = pageSize.ToString(CultureInfo.InvariantCulture),
    };

    public async ValueTask DisposeAsync()
    {
        _process.Kill(entireProcessTree: true);
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await _process.WaitForExitAsync(cts.Token);
        _process.Dispose();
    }
}
