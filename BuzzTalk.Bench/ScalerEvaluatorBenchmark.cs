using System.Diagnostics;
using BuzzTalk.Fleet.Ssh;
using BuzzTalk.Fleet.Swarm;
using BuzzTalk.Testing;

namespace BuzzTalk.Bench;

/// <summary>
/// The evaluator with its default settings (10 s interval, 30 s window, 30 s up stabilization) on
/// the real swarm: a service starts burning its whole CPU limit; measured is the time from its
/// first task running to the second replica running.
/// </summary>
public static class ScalerEvaluatorBenchmark
{
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
            var swarm = new SwarmClient(session);
            var service = "bt-overload-" + Guid.NewGuid().ToString("N")[..8];
            await using var scaler = await ScalerWebhookBenchmark.StartScalerAsync(ssh, knownHosts, service, Path.Combine(dir.Path, "lease"), evaluator: true);
            try
            {
                await DockerCli.RunAsync("service", "create", "--detach", "--name", service, "--replicas", "1",
                    "--limit-cpu", "0.05", "--limit-memory", "32M", "buzztalk/busybox:test", "sh", "-c", "while :; do :; done");
                await swarm.WaitForRunningAsync(service, 1, TimeSpan.FromSeconds(60), TimeSpan.FromMilliseconds(100), cancellationToken);
                var overload = Stopwatch.StartNew();
                var running = await swarm.WaitForRunningAsync(service, 2, TimeSpan.FromMinutes(3), TimeSpan.FromMilliseconds(250), cancellationToken);
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
}
