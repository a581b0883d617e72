using System.Globalization;
using System.Net.WebSockets;
using BuzzTalk.Deployer.Tests.Releases;
using BuzzTalk.Testing;

namespace BuzzTalk.Bench;

/// <summary>
/// A preemption notice to every websocket client reconnected elsewhere, on the local fleet (see
/// <see cref="PreemptionScenario"/>): two instances on the real backend behind HAProxy with the
/// published health check; per run, clients connect through the balancer, the leaving instance
/// gets its notice and runs the published shutdown script, and a client asks the balancer for a
/// room's messages every 100 ms throughout. Between runs the leaving instance is replaced by a
/// new one that boots into the desired release.
/// </summary>
public static class PreemptionBenchmark
{
    public static async Task<int> RunAsync(int runs, int clients, TextWriter output, CancellationToken cancellationToken)
    {
        if (!OperatingSystem.IsLinux())
        {
            throw new PlatformNotSupportedException("The instance scripts run on Linux only.");
        }

        var images = await FleetImages.BuildAsync(cancellationToken);
        await using var scenario = await PreemptionScenario.StartAsync(images.Backend);
        var reconnected = new List<double>();
        var moved = 0;
        var lost = 0;
        var notGoingAway = 0;
        var sent = 0;
        var failed = 0;
        for (var run = 1; run <= runs; run++)
        {
            if (run > 1)
            {
                await scenario.ReplaceLeavingAsync();
            }

            var result = await scenario.RunAsync(clients, TimeSpan.FromMinutes(2));
            if (result.ShutdownExit != 0)
            {
                throw new InvalidOperationException($"the shutdown script failed:\n{result.ShutdownOutput}");
            }

            var closed = result.Clients.Where(c => c.CloseStatus is not null).ToList();
            moved += closed.Count;
            lost += closed.Count(c => c.Reconnected is null);
            notGoingAway += closed.Count(c => c.CloseStatus != WebSocketCloseStatus.EndpointUnavailable);
            reconnected.AddRange(closed.Where(c => c.Reconnected is not null).Select(c => c.Reconnected!.Value.TotalSeconds));
            sent += result.Http.Sent;
            failed += result.Http.Failures.Count;
            await output.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
                $"run {run}: {closed.Count} of {clients} clients were on the leaving instance; reconnected elsewhere after {Percentiles.NearestRank(closed.Where(c => c.Reconnected is not null).Select(c => c.Reconnected!.Value.TotalSeconds), 0.99):F2} s (p99 from the notice); {result.Http.Failures.Count} of {result.Http.Sent} requests failed; the instance left after {result.LeftAfter.TotalSeconds:F1} s"));
        }

        await output.WriteLineAsync();
        await output.WriteLineAsync("| case | runs | clients moved | not 1001 | never back | reconnect p50 s | p99 s | max s | requests | failed |");
        await output.WriteLineAsync("|---|---|---|---|---|---|---|---|---|---|");
        await output.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
            $"| preemption notice to reconnected on the other instance | {runs} | {moved} | {notGoingAway} | {lost} | {Percentiles.NearestRank(reconnected, 0.5):F2} | {Percentiles.NearestRank(reconnected, 0.99):F2} | {Percentiles.NearestRank(reconnected, 1):F2} | {sent} | {failed} |"));
        return 0;
    }
}
