using System.Diagnostics;
using BuzzTalk.Deployer.Cli;
using BuzzTalk.Deployer.Rollout;
using BuzzTalk.Fleet.Leases;
using BuzzTalk.Fleet.Ssh;

namespace BuzzTalk.Deployer.Tests.Rollout;

/// <summary>
/// The Deployer end to end on the real local swarm over real SSH: v1, then v2 under load with no
/// failed request, then a v3 that never turns healthy rolled back to v2, the lease released each time.
/// </summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class DeployRolloutTests
{
    [Fact]
    public async Task Rollouts_drop_no_request_and_a_broken_version_is_rolled_back_with_the_lease_released()
    {
        await using var world = await DeployerWorld.StartAsync();
        var settings = world.Settings();
        await world.RenderEnvAsync();

        // v1: the whole stack, env files uploaded with mode 0600.
        var (exit, output, errors) = await DeployerWorld.CliAsync("deploy", "--config", settings, "--bundle", world.BundleDirectory,
            "--env-dir", world.EnvDirectory, "--output", "json");
        Assert.True(exit == 0, errors + output);
        var report = DeployerWorld.Report(output);
        Assert.Equal(InstanceOutcome.Deployed, Assert.Single(report.Instances).Outcome);
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
        Assert.Equal("v1\n", await world.GetAsync(http, "/backend/version"));
        Assert.Equal("from-deployer\n", await world.GetAsync(http, "/backend/db"));
        var envFile = world.HostPath("local", "env", "backend.env");
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(envFile));
        Assert.False(File.Exists(world.HostPath("local", "lease", "deploy.lease")));

        // v2 of the backend while requests flow through nginx the whole time.
        using var load = new CancellationTokenSource();
        var loop = LoadAsync(world, load.Token);
        (exit, output, errors) = await DeployerWorld.CliAsync("deploy", "--config", settings, "--bundle", world.BundleDirectory,
            "--services", "backend", "--image-tag", "v2", "--output", "json");
        await load.CancelAsync();
        var (sent, failed, failures) = await loop;
        Assert.True(exit == 0, errors + output);
        Assert.True(sent > 50, $"only {sent} requests were sent during the rollout");
        Assert.True(failed == 0, $"{failed} of {sent} requests failed during the rollout: {string.Join("; ", failures.Take(5))}");
        Assert.Equal("v2\n", await world.GetAsync(http, "/backend/version"));

        // v3 never answers its health check: rolled back to v2, exit 1, lease released.
        (exit, output, errors) = await DeployerWorld.CliAsync("deploy", "--config", settings, "--bundle", world.BundleDirectory,
            "--services", "backend", "--image-tag", "v3", "--output", "json");
        report = DeployerWorld.Report(output);
        Assert.Equal(1, exit);
        var v3 = Assert.Single(report.Instances);
        Assert.True(v3.Outcome == InstanceOutcome.RolledBack, $"{v3.Outcome}: {v3.Message}\n{string.Join("\n", v3.Steps)}");
        Assert.Contains("lease released", v3.Steps);
        Assert.Equal("v2\n", await world.GetAsync(http, "/backend/version"));
        Assert.False(File.Exists(world.HostPath("local", "lease", "deploy.lease")));

        // Right after that (swarm's own rollback spent the previous spec), a rollback returns to
        // the release recorded before v2: v1, by the instance's history, not by swarm's memory.
        (exit, output, errors) = await DeployerWorld.CliAsync("rollback", "--config", settings, "--output", "json");
        Assert.True(exit == 0, errors + output);
        Assert.Equal(InstanceOutcome.Reverted, Assert.Single(DeployerWorld.Report(output).Instances).Outcome);
        Assert.Equal("v1\n", await world.GetAsync(http, "/backend/version"));
        var status = Assert.Single(await DeployerWorld.StatusAsync(settings));
        Assert.Equal(["deploy v1", "deploy v2", "rollback v1"], status.History.Select(r => $"{r.Operation} {r.Services["backend"].Tag}"));
        Assert.All(status.History, r => Assert.False(string.IsNullOrEmpty(r.RecordedBy)));
        Assert.Equal("buzztalk/testapp:v1", status.Services.Single(s => s.Name.EndsWith("_backend", StringComparison.Ordinal)).Image);
    }

    [Fact]
    public async Task A_held_lease_stops_a_second_deployer_and_an_abandoned_lease_expires_so_the_next_deploy_proceeds()
    {
        await using var world = await DeployerWorld.StartAsync(backendOnly: true);
        await world.RenderEnvAsync();
        var ssh = new SshHostOptions { User = world.Ssh.User, PrivateKeyFile = world.Ssh.ClientKeyFile, KnownHostsFile = world.KnownHostsFile, Port = world.Ssh.Port };
        await using var session = new SshHostSession("127.0.0.1", ssh);
        var lease = new DeployLease(session, world.HostPath("local", "lease"));

        // Another deployer holds the lease: this one refuses and changes nothing.
        var held = await lease.AcquireAsync("other-deployer", "deploy elsewhere", TimeSpan.FromMinutes(5));
        var (exit, output, _) = await DeployerWorld.CliAsync("deploy", "--config", world.Settings(healthUrl: ""), "--bundle", world.BundleDirectory,
            "--env-dir", world.EnvDirectory, "--output", "json");
        var busy = Assert.Single(DeployerWorld.Report(output).Instances);
        Assert.Equal(DeployerCli.LeaseBusy, exit);
        Assert.Equal(InstanceOutcome.LeaseBusy, busy.Outcome);
        Assert.Contains("other-deployer", busy.Message, StringComparison.Ordinal);
        Assert.False(Directory.Exists(world.HostPath("local", "opt", "releases")));
        Assert.True(await lease.ReleaseAsync(held));

        // A holder that died (never renews, never releases): its lease lapses and the next deploy waits it out.
        await lease.AcquireAsync("killed-deployer", "deploy", TimeSpan.FromSeconds(3));
        var started = Stopwatch.GetTimestamp();
        (exit, output, var errors) = await DeployerWorld.CliAsync("deploy", "--config", world.Settings(healthUrl: "", leaseWait: TimeSpan.FromSeconds(30)),
            "--bundle", world.BundleDirectory, "--env-dir", world.EnvDirectory, "--output", "json");
        Assert.True(exit == 0, errors + output);
        Assert.Equal(InstanceOutcome.Deployed, Assert.Single(DeployerWorld.Report(output).Instances).Outcome);
        Assert.True(Stopwatch.GetElapsedTime(started) >= TimeSpan.FromSeconds(1), "the deploy should have waited for the abandoned lease");
    }

    [Fact]
    public async Task Two_deployers_at_once_one_wins_and_the_other_reports_the_lease_busy()
    {
        await using var world = await DeployerWorld.StartAsync(backendOnly: true);
        await world.RenderEnvAsync();
        await using var health = new GatedHealthEndpoint();
        var settings = world.Settings(healthUrl: health.Url);

        // The first deploy holds the lease while its health check waits for the gate.
        var first = DeployerWorld.CliAsync("deploy", "--config", settings, "--bundle", world.BundleDirectory, "--env-dir", world.EnvDirectory, "--output", "json");
        await health.Asked.Task.WaitAsync(TimeSpan.FromMinutes(2));

        var (exit, output, _) = await DeployerWorld.CliAsync("deploy", "--config", settings, "--bundle", world.BundleDirectory,
            "--services", "backend", "--image-tag", "v2", "--output", "json");
        var loser = Assert.Single(DeployerWorld.Report(output).Instances);
        Assert.Equal(DeployerCli.LeaseBusy, exit);
        Assert.Equal(InstanceOutcome.LeaseBusy, loser.Outcome);
        Assert.Contains("deploy ", loser.Message, StringComparison.Ordinal);

        health.Open();
        var (firstExit, firstOutput, firstErrors) = await first.WaitAsync(TimeSpan.FromMinutes(2));
        Assert.True(firstExit == 0, firstErrors + firstOutput);
        Assert.Equal(InstanceOutcome.Deployed, Assert.Single(DeployerWorld.Report(firstOutput).Instances).Outcome);
    }

    private static async Task<(int Sent, int Failed, List<string> Failures)> LoadAsync(DeployerWorld world, CancellationToken stop)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
        int sent = 0, failed = 0;
        var failures = new List<string>();
        while (!stop.IsCancellationRequested)
        {
            sent++;
            try
            {
                using var response = await http.GetAsync(new Uri($"http://127.0.0.1:{world.FrontendPort}/backend/version"), CancellationToken.None);
                if (!response.IsSuccessStatusCode)
                {
                    failed++;
                    failures.Add($"{(int)response.StatusCode}");
                }
            }
            catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException)
            {
                // A request past the client's timeout is a failed request, not the end of the load.
                failed++;
                failures.Add(ex.Message);
            }

            await Task.Delay(20, CancellationToken.None);
        }

        return (sent, failed, failures);
    }
}
