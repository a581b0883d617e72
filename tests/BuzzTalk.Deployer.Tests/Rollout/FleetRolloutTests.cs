using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using BuzzTalk.Deployer.Cli;
using BuzzTalk.Deployer.Rollout;
using BuzzTalk.Testing;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace BuzzTalk.Deployer.Tests.Rollout;

/// <summary>Several instances (several sshd endpoints, one stack each): parallelism, failure budget, unreachable hosts.</summary>
public sealed class FleetRolloutTests
{
    [Fact]
    public async Task Parallel_rollout_deploys_every_reachable_instance_and_reports_a_silent_host_without_hanging()
    {
        await using var world = await DeployerWorld.StartAsync(backendOnly: true);
        await using var second = await SshServer.StartAsync();
        await File.AppendAllTextAsync(world.KnownHostsFile, second.KnownHostsLine + "\n");
        // One deploy key for the whole fleet, as in the cloud.
        await File.AppendAllTextAsync(Path.Combine(second.Directory, "authorized_keys"), await File.ReadAllTextAsync(world.Ssh.ClientKeyFile + ".pub"));
        using var silent = new TcpListener(IPAddress.Loopback, 0);
        silent.Start(); // accepts connections and never says a word: SSH must time out, not hang
        var silentPort = ((IPEndPoint)silent.LocalEndpoint).Port;
        await world.RenderEnvAsync();

        var settings = world.Settings([("a", world.Ssh.Port), ("silent", silentPort), ("b", second.Port), ("c", world.Ssh.Port)], healthUrl: "");
        var (exit, output, errors) = await DeployerWorld.CliAsync("deploy", "--config", settings, "--bundle", world.BundleDirectory,
            "--env-dir", world.EnvDirectory, "--parallel", "2", "--max-failures", "1", "--output", "json");
        var report = DeployerWorld.Report(output);

        Assert.Equal(DeployerCli.InstanceFailed, exit);
        Assert.Equal(["a", "silent", "b", "c"], report.Instances.Select(i => i.Instance));
        Assert.All(report.Instances.Where(i => i.Instance != "silent"), i => Assert.True(i.Outcome == InstanceOutcome.Deployed, $"{i.Instance}: {i.Message}\n{errors}"));
        var unreachable = report.Instances.Single(i => i.Instance == "silent");
        Assert.Equal(InstanceOutcome.Unreachable, unreachable.Outcome);
        // A connect timeout of 5 s: it gives up in a bounded time (a hang would never end), with
        // room for its retries on a loaded machine.
        Assert.True(unreachable.Seconds < 60, $"the silent host took {unreachable.Seconds} s");
        foreach (var name in new[] { "a", "b", "c" })
        {
            Assert.True(File.Exists(world.HostPath(name, "opt", "current", "stack", "docker-stack.yml")), $"{name} has no current release");
        }
    }

    [Fact]
    public async Task An_instance_that_vanishes_mid_rollout_is_reported_gone_and_the_others_are_deployed_with_their_leases_free()
    {
        await using var world = await DeployerWorld.StartAsync(backendOnly: true);
        await using var doomed = await SshServer.StartAsync();
        await File.AppendAllTextAsync(world.KnownHostsFile, doomed.KnownHostsLine + "\n");
        await File.AppendAllTextAsync(Path.Combine(doomed.Directory, "authorized_keys"), await File.ReadAllTextAsync(world.Ssh.ClientKeyFile + ".pub"));
        // Discovery's http_sd answer: both instances, until "b" is preempted.
        var listed = new System.Collections.Concurrent.ConcurrentDictionary<string, bool>(StringComparer.Ordinal) { ["a"] = true, ["b"] = true };
        await using var discovery = await WebServiceHost.StartAsync(new Dictionary<string, string?>(), _ => { }, app => app.Run(context =>
        {
            var groups = listed.Keys.Order(StringComparer.Ordinal).Select(name => new Dictionary<string, object>
            {
                ["targets"] = new[] { $"127.0.0.1:9100" },
                ["labels"] = new Dictionary<string, string> { ["instance_name"] = name, ["public_ip"] = "127.0.0.1" },
            });
            context.Response.ContentType = "application/json";
            return context.Response.WriteAsync(JsonSerializer.Serialize(groups));
        }));
        await world.RenderEnvAsync();
        var settings = world.Settings([("a", world.Ssh.Port), ("b", doomed.Port)], healthUrl: "", discoveryUrl: new Uri(discovery.Address, "sd/targets"));

        // "b" is preempted while its release is uploaded: its sshd and sessions die, and it leaves the inventory.
        Task? preemption = null;
        var (exit, output, errors) = await DeployerWorld.CliAsync(line =>
        {
            if (line.StartsWith("[b] upload release", StringComparison.Ordinal) && preemption is null)
            {
                listed.TryRemove("b", out _);
                preemption = doomed.StopAsync();
            }
        }, "deploy", "--config", settings, "--bundle", world.BundleDirectory, "--env-dir", world.EnvDirectory,
            "--parallel", "2", "--max-failures", "0", "--output", "json");
        Assert.NotNull(preemption);
        await preemption;
        var report = DeployerWorld.Report(output);

        Assert.True(exit == 0, errors + output);
        Assert.True(report.Succeeded);
        Assert.Equal(0, report.Failures);
        var a = report.Instances.Single(i => i.Instance == "a");
        Assert.True(a.Outcome == InstanceOutcome.Deployed, $"{a.Outcome}: {a.Message}");
        var b = report.Instances.Single(i => i.Instance == "b");
        Assert.True(b.Outcome == InstanceOutcome.Gone, $"{b.Outcome}: {b.Message}");
        Assert.False(File.Exists(world.HostPath("a", "lease", "deploy.lease")));

        // An instance that merely stopped answering, still listed, stays a failure.
        listed["b"] = true;
        (exit, output, errors) = await DeployerWorld.CliAsync("deploy", "--config", settings, "--bundle", world.BundleDirectory,
            "--instance", "b", "--output", "json");
        Assert.Equal(DeployerCli.InstanceFailed, exit);
        Assert.Equal(InstanceOutcome.Unreachable, Assert.Single(DeployerWorld.Report(output).Instances).Outcome);
    }

    [Fact]
    public async Task Once_the_failure_budget_is_spent_no_further_instance_is_started()
    {
        await using var world = await DeployerWorld.StartAsync(backendOnly: true);
        await world.RenderEnvAsync();
        var closed = ServerProcess.FreePort(); // nothing listens: connection refused at once

        var settings = world.Settings([("down", closed), ("a", world.Ssh.Port), ("b", world.Ssh.Port)], healthUrl: "");
        var (exit, output, _) = await DeployerWorld.CliAsync("deploy", "--config", settings, "--bundle", world.BundleDirectory,
            "--env-dir", world.EnvDirectory, "--parallel", "1", "--max-failures", "0", "--output", "json");
        var report = DeployerWorld.Report(output);

        Assert.Equal(DeployerCli.InstanceFailed, exit);
        Assert.Equal(InstanceOutcome.Unreachable, report.Instances[0].Outcome);
        Assert.Equal(InstanceOutcome.Skipped, report.Instances[1].Outcome);
        Assert.Equal(InstanceOutcome.Skipped, report.Instances[2].Outcome);
        Assert.False(Directory.Exists(world.HostPath("a", "opt")));
    }

    [Fact]
    public async Task When_the_third_instance_fails_the_two_updated_ones_are_rolled_back_so_the_fleet_runs_one_release()
    {
        await using var world = await DeployerWorld.StartAsync(backendOnly: true);
        await world.RenderEnvAsync();
        var settings = world.Settings([("a", world.Ssh.Port), ("b", world.Ssh.Port), ("c", world.Ssh.Port)], healthUrl: "");
        string[] deploy = ["deploy", "--config", settings, "--bundle", world.BundleDirectory, "--output", "json"];
        var (exit, output, errors) = await DeployerWorld.CliAsync([.. deploy, "--env-dir", world.EnvDirectory, "--parallel", "3"]);
        Assert.True(exit == 0, errors + output);

        // c cannot take v2 (its env file is gone), after a and b did.
        File.Delete(world.HostPath("c", "env", "backend.env"));
        (exit, output, errors) = await DeployerWorld.CliAsync([.. deploy, "--services", "backend", "--image-tag", "v2", "--parallel", "1"]);
        var report = DeployerWorld.Report(output);
        Assert.Equal(DeployerCli.InstanceFailed, exit);
        Assert.True(report.FleetRollbackSeconds > 0, output);
        Assert.Equal(InstanceOutcome.Failed, report.Instances.Single(i => i.Instance == "c").Outcome);
        foreach (var name in new[] { "a", "b" })
        {
            var instance = report.Instances.Single(i => i.Instance == name);
            Assert.True(instance.Outcome == InstanceOutcome.RolledBack, $"{name}: {instance.Outcome}: {instance.Message}\n{errors}");
            Assert.Contains("rolled back with the fleet", instance.Message, StringComparison.Ordinal);
        }

        Assert.Equal(["v1", "v1", "v1"], await BackendTagsAsync(settings));

        // Without the fleet rollback the updated instances keep the new release.
        (exit, output, _) = await DeployerWorld.CliAsync([.. deploy, "--services", "backend", "--image-tag", "v2", "--parallel", "1", "--no-fleet-rollback"]);
        Assert.Equal(DeployerCli.InstanceFailed, exit);
        Assert.Null(DeployerWorld.Report(output).FleetRollbackSeconds);
        Assert.Equal(["v2", "v2", "v1"], await BackendTagsAsync(settings));
    }

    private static async Task<IReadOnlyList<string>> BackendTagsAsync(string settings) =>
        [.. (await DeployerWorld.StatusAsync(settings)).Select(s => Assert.Single(s.Services).Image.Split(':')[^1])];

    [Fact]
    public async Task Status_plan_and_rollback_report_and_undo_a_rollout()
    {
        await using var world = await DeployerWorld.StartAsync(backendOnly: true);
        await world.RenderEnvAsync();
        var settings = world.Settings(healthUrl: "");
        string[] deploy = ["deploy", "--config", settings, "--bundle", world.BundleDirectory, "--env-dir", world.EnvDirectory, "--output", "json"];
        Assert.Equal(0, (await DeployerWorld.CliAsync(deploy)).Exit);
        Assert.Equal(0, (await DeployerWorld.CliAsync([.. deploy, "--services", "backend", "--image-tag", "v2"])).Exit);

        var (exit, output, errors) = await DeployerWorld.CliAsync("status", "--config", settings, "--output", "json");
        Assert.True(exit == 0, errors);
        var status = Assert.Single(JsonSerializer.Deserialize(output, DeployerJsonContext.Default.ListInstanceStatus)!);
        var backend = Assert.Single(status.Services);
        Assert.Equal("buzztalk/testapp:v2", backend.Image);
        Assert.Equal(1, backend.Running);
        Assert.NotNull(status.CurrentRelease);
        Assert.False(status.Lease?.Held ?? false);

        // The plan for v1 names the image change and changes nothing.
        (exit, output, errors) = await DeployerWorld.CliAsync("plan", "--config", settings, "--bundle", world.BundleDirectory,
            "--services", "backend", "--image-tag", "v1", "--output", "json");
        Assert.True(exit == 0, errors);
        var plan = Assert.Single(JsonSerializer.Deserialize(output, DeployerJsonContext.Default.ListInstancePlan)!);
        var change = Assert.Single(plan.Images);
        Assert.Equal(("buzztalk/testapp:v2", "buzztalk/testapp:v1"), (change.Running, change.Planned));

        (exit, output, errors) = await DeployerWorld.CliAsync("rollback", "--config", settings, "--services", "backend", "--output", "json");
        Assert.True(exit == 0, errors + output);
        (_, output, _) = await DeployerWorld.CliAsync("status", "--config", settings, "--output", "json");
        var after = Assert.Single(JsonSerializer.Deserialize(output, DeployerJsonContext.Default.ListInstanceStatus)!);
        Assert.Equal("buzztalk/testapp:v1", Assert.Single(after.Services).Image);
    }
}
