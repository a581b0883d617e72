using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace BuzzTalk.Bench;

/// <summary>
/// Idle resident memory of each C# service, published as it ships (Native AOT) and as a
/// framework-dependent JIT build for comparison: start, answer a health check and a metrics
/// scrape, stay idle, then read <c>VmRSS</c> from <c>/proc</c>. Discovery runs its GCP
/// provider against the Compute API fake and must have served its inventory first, which also
/// proves the Native AOT build obtains tokens and parses Compute answers.
/// </summary>
public static class RssBenchmark
{
    private static readonly string[] s_services = ["BuzzTalk.Discovery", "BuzzTalk.Scaler", "BuzzTalk.Deployer"];

    public static async Task<int> RunAsync(string repository, TimeSpan idle, IReadOnlyList<string> only, TextWriter output, CancellationToken cancellationToken)
    {
        var work = Directory.CreateTempSubdirectory("bt-rss-");
        await using var gcp = await FakeGcpProcess.StartAsync(instances: 20, zones: 3, work.FullName, cancellationToken);
        try
        {
            output.WriteLine($"| service | build | idle RSS MB (after {idle.TotalSeconds:F0} s) |");
            output.WriteLine("|---|---|---|");
            foreach (var service in s_services.Where(s => only.Count == 0 || only.Contains(s)))
            {
                foreach (var (build, aot) in new[] { ("Native AOT (shipped)", true), ("JIT, Release", false) })
                {
                    var dir = Path.Combine(work.FullName, service + (aot ? "-aot" : "-jit"));
                    await PublishAsync(repository, service, dir, aot, cancellationToken);
                    var (environment, ready) = service == "BuzzTalk.Discovery"
                        ? (gcp.DiscoveryConfiguration(pageSize: 500), "/sd/targets")
                        : (new Dictionary<string, string?>(), "/health");
                    var rss = await MeasureAsync(Path.Combine(dir, service), environment, ready, idle, cancellationToken);
                    output.WriteLine($"| {service} | {build} | {rss / 1024.0:F1} |");
                }
            }

            return 0;
        }
        finally
        {
            work.Delete(recursive: true);
        }
    }

    private static async Task PublishAsync(string repository, string service, string output, bool aot, CancellationToken cancellationToken)
    {
        var project = Path.Combine(repository, service, service + ".csproj");
        var exit = await RunAsync("dotnet",
            ["publish", project, "-c", "Release", "-r", "linux-x64", "-o", output, $"-p:PublishAot={aot}", "--self-contained", aot ? "true" : "false", "-v", "quiet", "-nologo"],
            cancellationToken);
        if (exit != 0)
        {
            throw new InvalidOperationException($"dotnet publish of {service} exited {exit}");
        }
    }

    private static async Task<long> MeasureAsync(
        string executable, Dictionary<string, string?> configuration, string readyPath, TimeSpan idle, CancellationToken cancellationToken)
    {
        var port = FreePort();
        var start = new ProcessStartInfo(executable)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            Environment = { ["ASPNETCORE_URLS"] = $"http://127.0.0.1:{port}", ["Logging__LogLevel__Default"] = "Warning" },
        };
        foreach (var (key, value) in configuration)
        {
            start.Environment[key.Replace(":", "__", StringComparison.Ordinal)] = value;
        }

        // The Deployer is one binary for CLI and service: `serve` is the service.
        if (Path.GetFileName(executable) == "BuzzTalk.Deployer")
        {
            start.ArgumentList.Add("serve");
        }

        using var process = Process.Start(start) ?? throw new InvalidOperationException($"could not start {executable}");
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        try
        {
            using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}"), Timeout = TimeSpan.FromSeconds(5) };
            await WaitOkAsync(http, readyPath, cancellationToken);
            (await http.GetAsync(new Uri("/metrics", UriKind.Relative), cancellationToken)).Dispose();
            await Task.Delay(idle, cancellationToken);
            return ReadRssKilobytes(process.Id);
        }
        finally
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync(CancellationToken.None);
        }
    }

    private static async Task WaitOkAsync(HttpClient http, string path, CancellationToken cancellationToken)
    {
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        cts.CancelAfter(TimeSpan.FromSeconds(30));
        while (true)
        {
            try
            {
                using var response = await http.GetAsync(new Uri(path, UriKind.Relative), cts.Token);
                if (response.StatusCode == HttpStatusCode.OK)
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
                // Not listening yet.
            }

            await Task.Delay(TimeSpan.FromMilliseconds(100), cts.Token);
        }
    }

    private static long ReadRssKilobytes(int pid)
    {
        var line = File.ReadLines($"/proc/{pid}/status").Single(l => l.StartsWith("VmRSS:", StringComparison.Ordinal));
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

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
