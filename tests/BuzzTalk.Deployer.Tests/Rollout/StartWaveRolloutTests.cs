using System.Globalization;
using System.Text.RegularExpressions;
using BuzzTalk.Testing;

namespace BuzzTalk.Deployer.Tests.Rollout;

/// <summary>
/// Aspire's WaitFor on the real local swarm over real SSH: swarm starts a stack's services all at
/// once, so the Deployer, and an instance's boot script, start a service that waits for another in
/// a later wave.
/// </summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed partial class StartWaveRolloutTests
{
    [Fact]
    public async Task A_service_that_waits_for_the_backend_gets_its_first_task_after_the_backend_runs()
    {
        await using var world = await DeployerWorld.StartAsync(portPerInstance: true,
            model: settings => settings.WithService("frontend", frontend => frontend with { WaitFor = ["backend"] }));
        await using var cloud = await FakeInstanceCloud.StartAsync();
        // Generous on a loaded machine: the wave waits for a healthy backend within the convergence timeout.
        var settings = world.Settings(convergeTimeout: TimeSpan.FromMinutes(4), cloud: cloud);
        await world.RenderEnvAsync();

        var (exit, output, errors) = await DeployerWorld.CliAsync("deploy", "--config", settings, "--bundle", world.BundleDirectory,
            "--env-dir", world.EnvDirectory, "--output", "json");

        Assert.True(exit == 0, errors + output);
        var steps = Assert.Single(DeployerWorld.Report(output).Instances).Steps.ToList();
        var wave = steps.FindIndex(s => s == "start wave 1: backend");
        var backendRuns = steps.FindIndex(s => s.StartsWith($"{world.Name}-local_backend converged", StringComparison.Ordinal));
        var whole = steps.FindIndex(s => s.StartsWith($"docker stack deploy {world.Name}-local ", StringComparison.Ordinal));
        Assert.True(wave >= 0 && wave < backendRuns && backendRuns < whole, string.Join("\n", steps));

        await FrontendStartedAfterBackendAsync($"{world.Name}-local");

        // An instance the group adds boots into the recorded release, waves and all.
        var added = world.Boot(cloud, "added", ServerProcess.FreePort());
        var boot = await added.RunAsync();
        Assert.True(boot.ExitCode == 0, boot.Output);
        var waveLogged = boot.Log.IndexOf("start wave 1: backend", StringComparison.Ordinal);
        var wholeLogged = boot.Log.IndexOf($"stack deploy {world.Name}-added ", StringComparison.Ordinal);
        Assert.True(waveLogged >= 0 && waveLogged < wholeLogged, boot.Log);
        Assert.DoesNotContain("did not run", boot.Log, StringComparison.Ordinal);
        await FrontendStartedAfterBackendAsync($"{world.Name}-added");
    }

    [Fact]
    public async Task A_wave_that_never_turns_healthy_fails_the_deploy_before_the_waiting_service_is_created()
    {
        await using var world = await DeployerWorld.StartAsync(portPerInstance: true,
            model: settings => settings.WithService("frontend", frontend => frontend with { WaitFor = ["backend"] }));
        var settings = world.Settings(convergeTimeout: TimeSpan.FromSeconds(30));
        await world.RenderEnvAsync();

        // v3 never passes its health check.
        var (exit, output, errors) = await DeployerWorld.CliAsync("deploy", "--config", settings, "--bundle", world.BundleDirectory,
            "--env-dir", world.EnvDirectory, "--image-tag", "v3", "--output", "json");

        Assert.True(exit == 1, $"exit {exit}\n{errors}{output}");
        var instance = Assert.Single(DeployerWorld.Report(output).Instances);
        Assert.Contains("start wave 1: backend", instance.Steps);
        var said = string.Join("\n", instance.Steps.Append(instance.Message));
        Assert.True(said.Contains("did not converge within 30 s", StringComparison.Ordinal), said);
        Assert.DoesNotContain(instance.Steps, s => s.StartsWith($"docker stack deploy {world.Name}-local ", StringComparison.Ordinal));
        var frontend = await ToolRun.RunCheckedAsync("docker", Path.GetTempPath(),
            "service", "ls", "-q", "--filter", $"name={world.Name}-local_frontend");
        Assert.Equal("", frontend.Trim());
    }

    /// <summary>Swarm's own record: the frontend's first task was created after the backend's task ran (healthy).</summary>
    private static async Task FrontendStartedAfterBackendAsync(string stack)
    {
        var backend = await TasksAsync($"{stack}_backend");
        var frontend = await TasksAsync($"{stack}_frontend");
        var backendRunning = backend.Where(t => t.State == "running").Select(t => t.StateSince).Min();
        var frontendFirst = frontend.Select(t => t.Created).Min();
        Assert.True(backendRunning < frontendFirst, $"{stack}: backend running since {backendRunning:O}, frontend's first task created {frontendFirst:O}");
    }

    private static async Task<List<(DateTimeOffset Created, string State, DateTimeOffset StateSince)>> TasksAsync(string service)
    {
        var ids = (await ToolRun.RunCheckedAsync("docker", Path.GetTempPath(), "service", "ps", "-q", "--no-trunc", service))
            .Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        Assert.NotEmpty(ids);
        var lines = (await ToolRun.RunCheckedAsync("docker", Path.GetTempPath(),
                ["inspect", "--format", "{{json .CreatedAt}} {{.Status.State}} {{json .Status.Timestamp}}", .. ids]))
            .Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        return [.. lines.Select(line => line.Split(' ')).Select(p => (Time(p[0]), p[1], Time(p[2])))];
    }

    /// <summary>Docker's RFC 3339 times carry nanoseconds; .NET parses seven fractional digits.</summary>
    private static DateTimeOffset Time(string value) =>
        DateTimeOffset.Parse(Fraction().Replace(value.Trim('"'), m => m.Value[..Math.Min(m.Value.Length, 8)]), CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal);

    [GeneratedRegex(@"\.[0-9]+")]
    private static partial Regex Fraction();
}
