namespace BuzzTalk.Bench;

/// <summary>
/// A replaced instance booting into the desired release, as on the spot group: per run, the
/// deployed instance loses its stack, releases and env files and the published instance script
/// runs as a boot would, timed until its nginx answers the health check on the desired release.
/// Then instances the group adds (new stacks and folders beside the serving one) boot the same
/// way. Images are present (the local swarm has them), as on a warm image cache.
/// </summary>
public static class ReplacementBootBenchmark
{
    public static async Task<int> RunAsync(int runs, TextWriter output, CancellationToken cancellationToken)
    {
        if (!OperatingSystem.IsLinux())
        {
            throw new PlatformNotSupportedException("The instance script runs on Linux only.");
        }

        await using var fleet = await DesiredReleaseFleet.StartAsync();
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
        var replaced = new List<double>();
        for (var run = 0; run < runs; run++)
        {
            await fleet.Deployed.WipeAsync();
            replaced.Add(await DesiredReleaseFleet.TimeBootAsync(fleet.Deployed, http, $"replaced instance, boot {run + 1}", output));
        }

        var added = new List<double>();
        for (var run = 0; run < runs; run++)
        {
            added.Add(await DesiredReleaseFleet.TimeBootAsync(fleet.Add($"new{run + 1}"), http, $"added instance {run + 1}", output));
        }

        await output.WriteLineAsync();
        await output.WriteLineAsync("| case | runs | min s | median s | max s |");
        await output.WriteLineAsync("|---|---|---|---|---|");
        await output.WriteLineAsync(DesiredReleaseFleet.Row("replaced instance: instance script start to healthy through nginx on the desired release", replaced));
        await output.WriteLineAsync(DesiredReleaseFleet.Row("instance added beside a serving one: instance script start to healthy through nginx on the desired release", added));
        return 0;
    }
}
