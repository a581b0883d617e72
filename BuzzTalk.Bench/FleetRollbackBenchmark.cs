using BuzzTalk.Deployer.Tests.Rollout;

namespace BuzzTalk.Bench;

/// <summary>
/// The fleet rollback on the local fleet: three instances (three stacks on the local swarm behind
/// one sshd) run v1; a v2 image deploy goes one instance at a time and the third cannot take it
/// (its env file is gone), so the two updated instances go back to v1. Timed by the Deployer's
/// report: the fleet rollback alone, and the whole command.
/// </summary>
public static class FleetRollbackBenchmark
{
    public static async Task<int> RunAsync(int runs, TextWriter output, CancellationToken cancellationToken)
    {
        if (!OperatingSystem.IsLinux())
        {
            throw new PlatformNotSupportedException("The local fleet runs on Linux only.");
        }

        await using var world = await DeployerWorld.StartAsync(backendOnly: true);
        await world.RenderEnvAsync();
        var settings = world.Settings([("a", world.Ssh.Port), ("b", world.Ssh.Port), ("c", world.Ssh.Port)], healthUrl: "");
        string[] deploy = ["deploy", "--config", settings, "--bundle", world.BundleDirectory, "--output", "json"];
        var rollback = new List<double>();
        var whole = new List<double>();
        for (var run = 0; run < runs; run++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var (exit, json, errors) = await DeployerWorld.CliAsync([.. deploy, "--env-dir", world.EnvDirectory, "--parallel", "3"]);
            if (exit != 0)
            {
                throw new InvalidOperationException($"the v1 deploy failed: {errors}{json}");
            }

            File.Delete(world.HostPath("c", "env", "backend.env"));
            (_, json, errors) = await DeployerWorld.CliAsync([.. deploy, "--services", "backend", "--image-tag", "v2", "--parallel", "1"]);
            var report = DeployerWorld.Report(json);
            if (report.FleetRollbackSeconds is not { } seconds)
            {
                throw new InvalidOperationException($"no fleet rollback: {errors}{json}");
            }

            var images = (await DeployerWorld.StatusAsync(settings)).Select(s => s.Services.Single().Image).ToList();
            if (images.Any(i => !i.EndsWith(":v1", StringComparison.Ordinal)))
            {
                throw new InvalidOperationException($"not every instance is back on v1: {string.Join(", ", images)}");
            }

            rollback.Add(seconds);
            whole.Add(report.Seconds);
            await output.WriteLineAsync(FormattableString.Invariant($"run {run + 1}: fleet rollback {seconds:F1} s, deploy and rollback {report.Seconds:F1} s"));
        }

        await output.WriteLineAsync();
        await output.WriteLineAsync("| figure | runs | min s | median s | max s |");
        await output.WriteLineAsync("|---|---|---|---|---|");
        await output.WriteLineAsync(DesiredReleaseFleet.Row("fleet rollback: the third instance failed to all updated instances back on v1 and converged", rollback));
        await output.WriteLineAsync(DesiredReleaseFleet.Row("the whole command: v2 to a and b, c fails, a and b back on v1", whole));
        return 0;
    }
}
