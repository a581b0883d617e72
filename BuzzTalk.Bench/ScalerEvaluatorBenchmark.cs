using System.Diagnostics;
using BuzzTalk.Fleet.Ssh;
using BuzzTalk.Fleet.Swarm;
using BuzzTalk.Scaler.Configuration;
using BuzzTalk.Scaler.Execution;
using BuzzTalk.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace BuzzTalk.Bench;

/// <summary>
/// The evaluator with its default settings (10 s interval, 30 s window, 20 s up stabilization,
/// 30 s start-up grace) on the real swarm: a service idles until the evaluator has watched it for
/// a whole up window, then burns its whole CPU limit; measured is the time from the overload
/// starting to the second replica running.
/// </summary>
public static class ScalerEvaluatorBenchmark
{
    private static readonly TimeSpan s_callTimeout = TimeSpan.FromSeconds(30);

    public static async Task<int> RunAsync(int runs, TextWriter output, CancellationToken cancellationToken)
    {
        var times = new List<double>();
        for (var run = 0; run < runs; run++)
        {
            using var dir = new ScratchDirectory();
            await using var ssh = await SshServer.StartAsync();
            var knownHosts = Path.Combine(dir.Path, "known_hosts");
            await File.WriteAllTextAsync(knownHosts, ssh.KnownHostsLine + "\n", cancellationToken);
            await using var session = new SshHostSession("127.0.0.1", new SshHostOptions { User = ssh.User, PrivateKeyFile = ssh.ClientKeyFile, Port = ssh.Port },
                KnownHosts.Parse(ssh.KnownHostsLine));
            await using var engine = new HostEngine(session);
            var service = "bt-overload-" + Guid.NewGuid().ToString("N")[..8];
            await using var scaler = await ScalerWebhookBenchmark.StartScalerAsync(ssh, knownHosts, service, Path.Combine(dir.Path, "lease"), evaluator: true);
            try
            {
                var flag = Directory.CreateDirectory(Path.Combine(dir.Path, "flag")).FullName;
                await DockerCli.RunAsync("service", "create", "--detach", "--name", service, "--replicas", "1",
                    "--limit-cpu", "0.05", "--limit-memory", "32M", "--mount", $"type=bind,source={flag},target=/flag,readonly",
                    "buzztalk/busybox:test", "sh", "-c", "while [ ! -e /flag/go ]; do sleep 1; done; while :; do :; done");
                await engine.WaitForRunningAsync(service, 1, TimeSpan.FromSeconds(60), TimeSpan.FromMilliseconds(100), s_callTimeout, cancellationToken: cancellationToken);
                // Load arrives on a replica that serves already: past its start-up grace and watched
                // by the evaluator for a whole up window.
                await WatchedAsync(scaler, cancellationToken);
                await File.WriteAllTextAsync(Path.Combine(flag, "go"), "", cancellationToken);
                var overload = Stopwatch.StartNew();
                var running = await engine.WaitForRunningAsync(service, 2, TimeSpan.FromMinutes(3), TimeSpan.FromMilliseconds(250), s_callTimeout,
                    cancellationToken: cancellationToken);
                if (running != 2)
                {
                    throw new InvalidOperationException("no second replica within 3 minutes");
                }

                times.Add(overload.Elapsed.TotalSeconds);
                output.WriteLine($"run {run + 1}: {times[^1]:F1} s");
            }
            finally
            {
                await DockerCli.TryRunAsync("service", "rm", service);
            }
        }

        times.Sort();
        output.WriteLine();
        output.WriteLine("| figure | runs | min s | median s | max s |");
        output.WriteLine("|---|---|---|---|---|");
        output.WriteLine($"| sustained overload to second replica running (evaluator defaults) | {runs} | {times[0]:F1} | {times[runs / 2]:F1} | {times[^1]:F1} |");
        return 0;
    }

    /// <summary>
    /// Waits until the evaluator has seen the running replica for its start-up grace and then for a
    /// whole up window, counted in its own rounds (rounds run every interval).
    /// </summary>
    private static async Task WatchedAsync(WebServiceHost scaler, CancellationToken cancellationToken)
    {
        var evaluator = scaler.App.Services.GetRequiredService<ScaleEvaluator>();
        var options = scaler.App.Services.GetRequiredService<IOptions<ScalerOptions>>().Value;
        var rounds = (int)Math.Ceiling((options.Evaluator.StartupGrace + options.TargetTracking.ScaleUpStabilization) / options.Evaluator.Interval) + 1;
        var until = evaluator.Rounds + rounds;
        while (evaluator.Rounds < until)
        {
            await Task.Delay(TimeSpan.FromMilliseconds(200), cancellationToken);
        }
    }
}
