using System.Globalization;
using BuzzTalk.Deployer.Tests.Rollout;
using BuzzTalk.Testing;

namespace BuzzTalk.Bench;

/// <summary>
/// What chat users notice of each kind of deploy, on the local fleet under load (see
/// <see cref="DeployLoadScenario"/>): one instance on the real backend with 2 replicas behind its
/// edge; per run an edge config change, a frontend deploy, a backend deploy and a rollback, each
/// under its own load of websocket clients (reconnecting and catching up as the chat page does),
/// posts and page and API requests.
/// </summary>
public static class DeployLoadBenchmark
{
    public static async Task<int> RunAsync(int runs, ChatLoadShape shape, TextWriter output, CancellationToken cancellationToken)
    {
        if (!OperatingSystem.IsLinux())
        {
            throw new PlatformNotSupportedException("The local fleet runs on Linux only.");
        }

        var images = await FleetImages.BuildAsync(cancellationToken);
        await using var scenario = await DeployLoadScenario.StartAsync(images.Backend);
        var results = new List<DeployUnderLoad>();
        for (var run = 1; run <= runs; run++)
        {
            foreach (var kind in Enum.GetValues<DeployKind>())
            {
                cancellationToken.ThrowIfCancellationRequested();
                var result = kind switch
                {
                    DeployKind.EdgeConfig => await scenario.EdgeConfigChangeAsync(shape),
                    DeployKind.Frontend => await scenario.FrontendDeployAsync(shape),
                    DeployKind.Backend => await scenario.BackendDeployAsync(shape, images.BackendV2Tag),
                    _ => await scenario.RollbackAsync(shape, images.Backend),
                };
                if (result.Exit != 0)
                {
                    throw new InvalidOperationException($"the {result.Kind} deploy failed ({result.Exit}):\n{result.Output}");
                }

                results.Add(result);
                var load = result.Load;
                await output.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
                    $"run {run}, {result.Kind}: deploy {result.Took.TotalSeconds:F1} s; {load.FailedRequests} of {load.Requests} requests failed; {load.Disconnects.Count} disconnects ({Codes(load)}); {load.Clients.Sum(c => c.Missing)} messages missed{(result.Settled ? "" : "; NOT SETTLED")}"));
            }
        }

        await output.WriteLineAsync();
        await output.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
            $"{shape.Clients} websocket clients in {shape.Rooms} rooms, each posting every {shape.PostEvery.TotalSeconds:F1} s; page and API asked every {shape.ProbeEvery.TotalMilliseconds:F0} ms each"));
        await output.WriteLineAsync();
        await output.WriteLineAsync("| deploy | runs | deploy s (median) | requests | failed | messages posted | missed | disconnects (by close code) | 1001 % | max per client | reconnect p50 s | p99 s | max s |");
        await output.WriteLineAsync("|---|---|---|---|---|---|---|---|---|---|---|---|---|");
        foreach (var kind in results.GroupBy(r => r.Kind))
        {
            var loads = kind.Select(r => r.Load).ToList();
            var disconnects = loads.SelectMany(l => l.Disconnects).ToList();
            var reconnects = disconnects.Where(d => d.ReconnectedAfter is not null).Select(d => d.ReconnectedAfter!.Value.TotalSeconds).ToList();
            var perClient = loads.SelectMany(l => l.Clients).Max(c => c.Disconnects.Count);
            var goingAway = disconnects.Count == 0 ? "-" : (100.0 * disconnects.Count(d => d.Code == 1001) / disconnects.Count).ToString("F0", CultureInfo.InvariantCulture);
            await output.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
                $"| {kind.Key} | {kind.Count()} | {Percentiles.NearestRank(kind.Select(r => r.Took.TotalSeconds), 0.5):F1} | {loads.Sum(l => l.Requests)} | {loads.Sum(l => l.FailedRequests)} | {loads.Sum(l => l.Posted)} | {loads.Sum(l => l.Clients.Sum(c => c.Missing))} | {disconnects.Count} ({Codes(loads)}) | {goingAway} | {perClient} | {Format(Percentiles.NearestRank(reconnects, 0.5))} | {Format(Percentiles.NearestRank(reconnects, 0.99))} | {Format(Percentiles.NearestRank(reconnects, 1))} |"));
        }

        return 0;
    }

    private static string Codes(params IEnumerable<ChatLoadResult> loads)
    {
        var codes = loads.SelectMany(l => l.Disconnects).GroupBy(d => d.Code).OrderBy(g => g.Key).Select(g => $"{g.Key}: {g.Count()}").ToList();
        return codes.Count == 0 ? "none" : string.Join(", ", codes);
    }

    private static string Format(double seconds) => double.IsNaN(seconds) ? "-" : seconds.ToString("F2", CultureInfo.InvariantCulture);

}
