using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using BuzzTalk.Scaler.Extensions;
using BuzzTalk.Scaler.Webhooks;
using BuzzTalk.Testing;
using Microsoft.Extensions.Hosting;

namespace BuzzTalk.Bench;

/// <summary>
/// The Scaler on the real local swarm over real SSH (dockerd and sshd as the tests run them):
/// for scale-ups with warm connections, the webhook's answer time as the sender sees it, the time
/// to the engine accepting the count and to the new replica running (followed in the background);
/// the webhook's throughput on no-op alerts measured with <c>ab -c 8</c>; and the Scaler's RSS
/// idle, after the requests and 10 s later. By default the Scaler runs as it ships (Native AOT,
/// its own process, default log levels); <c>--build jit</c> runs it in the bench process instead
/// (its RSS is then the bench's).
/// </summary>
public static partial class ScalerWebhookBenchmark
{
    private const string User = "bench";
    private const string Password = "bench-password";

    public static async Task<int> RunAsync(string repository, int scales, int requests, bool aot, TextWriter output, CancellationToken cancellationToken)
    {
        using var dir = new ScratchDirectory();
        await using var ssh = await SshServer.StartAsync();
        var service = "bt-bench-" + Guid.NewGuid().ToString("N")[..8];
        await DockerCli.RunAsync("service", "create", "--detach", "--name", service, "--replicas", "1", "--limit-cpu", "0.05", "--limit-memory", "32M", "buzztalk/busybox:test");
        try
        {
            var knownHosts = Path.Combine(dir.Path, "known_hosts");
            await File.WriteAllTextAsync(knownHosts, ssh.KnownHostsLine + "\n", cancellationToken);
            var configuration = ScalerConfiguration(ssh, knownHosts, service, Path.Combine(dir.Path, "lease"), evaluator: false);
            await using IAsyncDisposable scaler = aot
                ? await StartPublishedAsync(repository, Path.Combine(dir.Path, "publish"), configuration, cancellationToken)
                : await InProcessAsync(configuration);
            var (address, http, pid) = scaler switch
            {
                ServiceProcess p => (p.Address, p.Http, p.Id),
                WebServiceHost h => (h.Address, h.Http, Environment.ProcessId),
                _ => throw new InvalidOperationException(),
            };
            http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{User}:{Password}")));
            var root = address.ToString().TrimEnd('/');

            // Idle: started, one scrape, then nothing for a while (as RssBenchmark measures).
            (await http.GetAsync(new Uri("/metrics", UriKind.Relative), cancellationToken)).Dispose();
            await Task.Delay(TimeSpan.FromSeconds(10), cancellationToken);
            var idle = Rss(pid);

            // Warm the SSH connection, the Engine API channel and the code paths.
            await ScaleAsync(http, service, 2, 1, cancellationToken);
            await ScaleAsync(http, service, 1, 2, cancellationToken);

            var answered = new List<double>();
            var issued = new List<double>();
            var converged = new List<double>();
            for (var i = 0; i < scales; i++)
            {
                // Scale-ups are timed; each scale-down between them brings the count back.
                var up = await ScaleAsync(http, service, 2, 1, cancellationToken);
                answered.Add(up.AnsweredMs);
                issued.Add(up.IssuedMs);
                converged.Add(up.ConvergedMs);
                await ScaleAsync(http, service, 1, 2, cancellationToken);
            }

            output.WriteLine($"Scaler build: {(aot ? "Native AOT (as shipped), own process" : "JIT, Release, in the bench process")}");
            output.WriteLine();
            output.WriteLine("| figure (scale-up 1 -> 2, warm SSH) | n | p50 ms | p99 ms | max ms |");
            output.WriteLine("|---|---|---|---|---|");
            Row(output, "webhook answer, as the sender sees it (POST to the whole answer read)", answered);
            Row(output, "webhook received to the engine accepting the new count (issuedMs)", issued);
            Row(output, "webhook received to the new replica running (convergedMs, in the background)", converged);

            var body = Path.Combine(dir.Path, "resolved.json");
            await File.WriteAllTextAsync(body, ResolvedAlert(service), cancellationToken);
            output.WriteLine();
            output.WriteLine($"no-op alerts (resolved), `ab -n {requests} -c 8 -k`: {await RunAbAsync($"{root}/api/webhooks/alertmanager", body, requests, pid, keepAlive: true, cancellationToken)}");
            var afterRequests = Rss(pid);
            await Task.Delay(TimeSpan.FromSeconds(10), cancellationToken);
            var afterIdle = Rss(pid);
            // Without -k every request opens its own TCP connection: the kernel's and the server's cost per connection.
            output.WriteLine($"no-op alerts (resolved), `ab -n {requests} -c 8`: {await RunAbAsync($"{root}/api/webhooks/alertmanager", body, requests, pid, keepAlive: false, cancellationToken)}");
            // The same server's cheapest route (no credentials, no body, no JSON): what Kestrel and
            // the service defaults alone reach on this machine at this moment.
            output.WriteLine($"reference: GET /alive, `ab -n {requests} -c 8 -k`: {await RunAbAsync($"{root}/alive", null, requests, pid, keepAlive: true, cancellationToken)}");
            var afterAll = Rss(pid);

            output.WriteLine();
            output.WriteLine("| Scaler RSS | MB | anonymous MB |");
            output.WriteLine("|---|---|---|");
            output.WriteLine($"| idle (started, one scrape, 10 s) | {idle.Rss / 1024.0:F1} | {idle.Anonymous / 1024.0:F1} |");
            output.WriteLine($"| after {2 * scales + 2} scales and {requests} no-op alerts (`-k`) | {afterRequests.Rss / 1024.0:F1} | {afterRequests.Anonymous / 1024.0:F1} |");
            output.WriteLine($"| the same, 10 s later | {afterIdle.Rss / 1024.0:F1} | {afterIdle.Anonymous / 1024.0:F1} |");
            output.WriteLine($"| after {3 * requests} requests in all | {afterAll.Rss / 1024.0:F1} | {afterAll.Anonymous / 1024.0:F1} |");
            return 0;
        }
        finally
        {
            await DockerCli.TryRunAsync("service", "rm", service);
        }
    }

    internal static Dictionary<string, string?> ScalerConfiguration(SshServer ssh, string knownHosts, string service, string leases, bool evaluator) => new()
    {
        ["Scaler:Webhooks:Username"] = User,
        ["Scaler:Webhooks:Password"] = Password,
        ["Scaler:Ssh:User"] = ssh.User,
        ["Scaler:Ssh:PrivateKeyFile"] = ssh.ClientKeyFile,
        ["Scaler:Ssh:KnownHostsFile"] = knownHosts,
        ["Scaler:Ssh:Port"] = ssh.Port.ToString(CultureInfo.InvariantCulture),
        ["Scaler:Instances:0:Name"] = "local",
        ["Scaler:Instances:0:PublicIp"] = "127.0.0.1",
        [$"Scaler:Services:{service}:Min"] = "1",
        [$"Scaler:Services:{service}:Max"] = "2",
        ["Scaler:LeaseDirectory"] = leases,
        ["Scaler:PollInterval"] = "00:00:00.100",
        ["Scaler:Evaluator:Enabled"] = evaluator ? "true" : "false",
    };

    internal static Task<WebServiceHost> StartScalerAsync(SshServer ssh, string knownHosts, string service, string leases, bool evaluator = false) =>
        InProcessAsync(ScalerConfiguration(ssh, knownHosts, service, leases, evaluator));

    private static Task<WebServiceHost> InProcessAsync(Dictionary<string, string?> configuration)
    {
        configuration["Logging:LogLevel:Default"] = "Error";
        return WebServiceHost.StartAsync(configuration,
            builder => builder.AddServiceDefaults().AddScaler(),
            app => app.MapDefaultEndpoints().MapScalerEndpoints());
    }

    private static async Task<ServiceProcess> StartPublishedAsync(string repository, string publishDir, Dictionary<string, string?> configuration,
        CancellationToken cancellationToken)
    {
        await RssBenchmark.PublishAsync(repository, "BuzzTalk.Scaler", publishDir, aot: true, cancellationToken);
        return await ServiceProcess.StartAsync(Path.Combine(publishDir, "BuzzTalk.Scaler"), configuration, "/health", [], cancellationToken);
    }

    private sealed record Timing(double AnsweredMs, double IssuedMs, double ConvergedMs);

    /// <summary>
    /// Posts a seed-rule alert and times its answer; then waits (outside the timing) until the
    /// Scaler has seen the new count run, so the next alert starts from a settled service.
    /// </summary>
    private static async Task<Timing> ScaleAsync(HttpClient http, string service, int target, int active, CancellationToken cancellationToken)
    {
        var alert = new JsonObject
        {
            ["status"] = "firing",
            ["labels"] = new JsonObject { ["alertname"] = "containers", ["public_ip"] = "127.0.0.1", ["container_label_com_docker_swarm_service_name"] = service, ["scaling"] = target > active ? "up" : "down" },
            ["values"] = new JsonObject { ["app_new_containers_number"] = target, ["app_active_containers"] = active, ["scale_trigger"] = 1 },
        };
        var payload = new JsonObject { ["version"] = "1", ["status"] = "firing", ["receiver"] = "scaler", ["alerts"] = new JsonArray(alert) };
        using var content = new StringContent(payload.ToJsonString(), Encoding.UTF8, "application/json");
        var watch = Stopwatch.StartNew();
        using var response = await http.PostAsync(new Uri("/api/webhooks/grafana", UriKind.Relative), content, cancellationToken);
        var text = await response.Content.ReadAsStringAsync(cancellationToken);
        var answeredMs = watch.Elapsed.TotalMilliseconds;
        var outcome = JsonNode.Parse(text)!["outcomes"]![0]!;
        if (outcome["result"]!.GetValue<string>() != "scaled")
        {
            throw new InvalidOperationException($"expected a scale, got {outcome.ToJsonString()}");
        }

        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(TimeSpan.FromSeconds(90));
        while (true)
        {
            var latest = JsonNode.Parse(await http.GetStringAsync(new Uri("/api/decisions", UriKind.Relative), deadline.Token))!.AsArray()[0]!;
            var convergence = latest["convergence"]?.GetValue<string>();
            if (convergence == "converged")
            {
                return new Timing(answeredMs, outcome["issuedMs"]!.GetValue<double>(), latest["convergedMs"]!.GetValue<double>());
            }

            if (convergence != "pending")
            {
                throw new InvalidOperationException($"the scale did not converge: {latest.ToJsonString()}");
            }

            await Task.Delay(TimeSpan.FromMilliseconds(50), deadline.Token);
        }
    }

    private static (long Rss, long Anonymous) Rss(int pid) =>
        (RssBenchmark.ReadKilobytes($"/proc/{pid}/status", "VmRSS:"), RssBenchmark.ReadKilobytes($"/proc/{pid}/smaps_rollup", "Anonymous:"));

    private static void Row(TextWriter output, string figure, List<double> values)
    {
        values.Sort();
        output.WriteLine($"| {figure} | {values.Count} | {Percentiles.NearestRank(values, 0.5):F1} | {Percentiles.NearestRank(values, 0.99):F1} | {values[^1]:F1} |");
    }

    private static string ResolvedAlert(string service) => new JsonObject
    {
        ["version"] = "4",
        ["status"] = "resolved",
        ["receiver"] = "scaler",
        ["alerts"] = new JsonArray(new JsonObject
        {
            ["status"] = "resolved",
            ["labels"] = new JsonObject { ["alertname"] = "pressure", ["public_ip"] = "127.0.0.1", ["container_label_com_docker_swarm_service_name"] = service },
        }),
    }.ToJsonString();

    /// <summary>
    /// ab's requests per second, and the server process's CPU time per request over the run (user
    /// and system): requests per second depend on what else the shared cores run at that moment,
    /// the CPU a request costs much less so.
    /// </summary>
    private static async Task<string> RunAbAsync(string url, string? body, int requests, int serverPid, bool keepAlive, CancellationToken cancellationToken)
    {
        using var server = Process.GetProcessById(serverPid);
        var cpuBefore = server.TotalProcessorTime;
        var start = new ProcessStartInfo(ServerProcess.Locate("ab")) { RedirectStandardOutput = true, RedirectStandardError = true };
        string[] post = body is null ? [] : ["-p", body, "-T", "application/json", "-A", $"{User}:{Password}"];
        foreach (var arg in (string[])["-q", "-n", requests.ToString(CultureInfo.InvariantCulture), "-c", "8", .. keepAlive ? ["-k"] : Array.Empty<string>(), .. post, url])
        {
            start.ArgumentList.Add(arg);
        }

        using var ab = Process.Start(start)!;
        var text = await ab.StandardOutput.ReadToEndAsync(cancellationToken);
        await ab.WaitForExitAsync(cancellationToken);
        var rps = RequestsPerSecond().Match(text);
        var failed = FailedRequests().Match(text);
        var non2xx = Non2xx().Match(text);
        // ab speaks HTTP/1.0: an answer without a Content-Length closes the connection, and the run
        // then measures TCP connects, not requests.
        var kept = KeepAlive().Match(text);
        server.Refresh();
        var cpuPerRequest = (server.TotalProcessorTime - cpuBefore).TotalMicroseconds / requests;
        return $"{(rps.Success ? rps.Groups[1].Value : "?")} requests/s, server CPU {cpuPerRequest:F0} us per request, failed {(failed.Success ? failed.Groups[1].Value : "?")}, non-2xx {(non2xx.Success ? non2xx.Groups[1].Value : "0")}, kept alive {(kept.Success ? kept.Groups[1].Value : "?")}";
    }


    [GeneratedRegex(@"Requests per second:\s+([\d.]+)")]
    private static partial Regex RequestsPerSecond();

    [GeneratedRegex(@"Failed requests:\s+(\d+)")]
    private static partial Regex FailedRequests();

    [GeneratedRegex(@"Non-2xx responses:\s+(\d+)")]
    private static partial Regex Non2xx();

    [GeneratedRegex(@"Keep-Alive requests:\s+(\d+)")]
    private static partial Regex KeepAlive();
}
