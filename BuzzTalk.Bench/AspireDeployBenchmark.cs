using System.Diagnostics;
using System.Globalization;
using BuzzTalk.AppHost.Publish;
using BuzzTalk.AppHost.Tests.LocalFleet;
using BuzzTalk.Deployer.Tests.Rollout;
using BuzzTalk.Testing;

namespace BuzzTalk.Bench;

/// <summary>
/// <c>aspire deploy</c> of one backend image change to the running local fleet (see
/// <see cref="AspireDeployFleet"/>), under the chat load of the deploy-load bench and, beside it,
/// the Deployer rollout bench's load (a GET through the edge every 10 ms, here of the backend's
/// health path: the chat backend has no version page): the command's wall time (AppHost start,
/// publish, rollout), failed requests, websocket disconnects, missed messages.
/// </summary>
public static class AspireDeployBenchmark
{
    public static async Task<int> RunAsync(int runs, ChatLoadShape shape, TextWriter output, CancellationToken cancellationToken)
    {
        if (!OperatingSystem.IsLinux())
        {
            throw new PlatformNotSupportedException("The local fleet runs on Linux only.");
        }

        await using var fleet = await AspireDeployFleet.StartAsync(cancellationToken);
        var (exit, text) = await fleet.DeployAsync();
        if (exit != 0)
        {
            throw new InvalidOperationException($"the first deploy failed ({exit}):\n{text}");
        }

        var original = fleet.Images.Backend[(fleet.Images.Backend.LastIndexOf(':') + 1)..];
        var rows = new List<(TimeSpan Took, bool Settled, ChatLoadResult Load, (int Sent, int Failed) Loop)>();
        // The backend health path the model publishes, as the Deployer's gate asks it.
        var healthPath = PublishedModel.Settings(fleet.Site.ToString()).BackendHealthPath;
        for (var run = 1; run <= runs; run++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var tag = run % 2 == 1 ? fleet.Images.BackendV2Tag : original;
            var load = await ChatLoad.StartAsync(fleet.Site, shape.Clients, shape.Rooms, shape.PostEvery, shape.ProbeEvery, cancellationToken);
            var steady = await load.WaitEveryClientPostedAsync(TimeSpan.FromSeconds(30));
            using var stopLoop = new CancellationTokenSource();
            var loop = DeployerRolloutBenchmark.LoadAsync(new Uri(fleet.Site, healthPath), stopLoop.Token);
            var started = Stopwatch.GetTimestamp();
            (exit, text) = await fleet.DeployAsync("--BuzzTalk:Deploy:Services", "backend", "--BuzzTalk:Deploy:ImageTag", tag);
            var took = Stopwatch.GetElapsedTime(started);
            if (exit != 0)
            {
                throw new InvalidOperationException($"the deploy of {tag} failed ({exit}):\n{text}");
            }

            // A replaced replica drains after the deploy returns: the load ends once it is gone
            // and every client is back and has posted again.
            var tasks = await BackendRunsAsync(tag, TimeSpan.FromMinutes(1));
            var settled = steady && tasks > 0 && await load.WaitAllOnlineAsync(TimeSpan.FromSeconds(30))
                && await load.WaitEveryClientPostedAsync(TimeSpan.FromSeconds(30));
            await stopLoop.CancelAsync();
            var looped = await loop;
            var result = await load.StopAsync(TimeSpan.FromSeconds(10));
            rows.Add((took, settled, result, looped));
            await output.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
                $"run {run}, backend {tag} ({tasks} task(s)): aspire deploy {took.TotalSeconds:F1} s; chat load {result.FailedRequests} of {result.Requests} requests failed; 10 ms loop {looped.Failed} of {looped.Sent} failed; {result.Disconnects.Count} disconnects; {result.Clients.Sum(c => c.Missing)} messages missed{(settled ? "" : "; NOT SETTLED")}"));
        }

        await output.WriteLineAsync();
        await output.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
            $"{shape.Clients} websocket clients in {shape.Rooms} rooms, each posting every {shape.PostEvery.TotalSeconds:F1} s; page and API asked every {shape.ProbeEvery.TotalMilliseconds:F0} ms each"));
        await output.WriteLineAsync();
        await output.WriteLineAsync($"beside it, GET {healthPath} through the edge every 10 ms from just before each deploy until the load settled");
        await output.WriteLineAsync();
        await output.WriteLineAsync("| runs | aspire deploy s (min / median / max) | chat load requests | failed | 10 ms loop requests | failed | disconnects | 1001 % | missed messages |");
        await output.WriteLineAsync("|---|---|---|---|---|---|---|---|---|");
        var seconds = rows.Select(r => r.Took.TotalSeconds).ToList();
        var disconnects = rows.SelectMany(r => r.Load.Disconnects).ToList();
        await output.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
            $"| {rows.Count} | {seconds.Min():F1} / {Percentiles.NearestRank(seconds, 0.5):F1} / {seconds.Max():F1} | {rows.Sum(r => r.Load.Requests)} | {rows.Sum(r => r.Load.FailedRequests)} | {rows.Sum(r => r.Loop.Sent)} | {rows.Sum(r => r.Loop.Failed)} | {disconnects.Count} | {(disconnects.Count == 0 ? "-" : (100.0 * disconnects.Count(d => d.Code == 1001) / disconnects.Count).ToString("F0", CultureInfo.InvariantCulture))} | {rows.Sum(r => r.Load.Clients.Sum(c => c.Missing))} |"));
        return rows.All(r => r.Settled) ? 0 : 1;
    }

    /// <summary>
    /// How many tasks the fleet's backend runs once every one is of <paramref name="tag"/> (the
    /// fleet's Scaler may have added replicas under the load); 0 when that does not happen in time.
    /// </summary>
    private static async Task<int> BackendRunsAsync(string tag, TimeSpan timeout)
    {
        var deadline = Stopwatch.GetTimestamp() + (long)(timeout.TotalSeconds * Stopwatch.Frequency);
        while (Stopwatch.GetTimestamp() < deadline)
        {
            var (exit, images) = await ToolRun.RunAsync("docker", Path.GetTempPath(),
                "ps", "--filter", "label=com.docker.swarm.service.name=buzztalk_backend", "--format", "{{.Image}}");
            var running = images.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
            if (exit == 0 && running.Length > 0 && running.All(image => image.Split('@')[0].EndsWith(":" + tag, StringComparison.Ordinal)))
            {
                return running.Length;
            }

            await Task.Delay(TimeSpan.FromMilliseconds(250));
        }

        return 0;
    }
}
