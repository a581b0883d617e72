using BuzzTalk.Deployer.Cli;
using BuzzTalk.Deployer.Rollout;

namespace BuzzTalk.Deployer.Tests.Rollout;

/// <summary>
/// The health gate on the real local swarm over real SSH: a site that failed its check under the
/// old release as well is busy, not broken by the new one; a check that passed before the deploy
/// and fails after it rolls the release back.
/// </summary>
public sealed class HealthGateTests
{
    [Fact]
    public async Task A_deploy_to_a_site_that_failed_its_check_before_as_well_is_not_rolled_back_for_it()
    {
        await using var world = await DeployerWorld.StartAsync(backendOnly: true);
        await world.RenderEnvAsync();
        var (exit, output, errors) = await DeployerWorld.CliAsync("deploy", "--config", world.Settings(healthUrl: ""), "--bundle", world.BundleDirectory,
            "--env-dir", world.EnvDirectory, "--output", "json");
        Assert.True(exit == 0, errors + output);

        // The site answers 503 to every check: overloaded under v1, and still under v2.
        await using var busy = new GatedHealthEndpoint();
        var settings = world.Settings(healthUrl: busy.Url, healthTimeout: TimeSpan.FromMinutes(2));
        (exit, output, errors) = await DeployerWorld.CliAsync("deploy", "--config", settings, "--bundle", world.BundleDirectory,
            "--services", "backend", "--image-tag", "v2", "--output", "json");
        var report = Assert.Single(DeployerWorld.Report(output).Instances);
        Assert.True(exit == 0, $"{report.Outcome}: {report.Message}\n{string.Join("\n", report.Steps)}");
        Assert.Contains(report.Steps, s => s.StartsWith("health before the deploy: 5 of 5 checks failed, busy", StringComparison.Ordinal));
        Assert.Contains(report.Steps, s => s.Contains("a busy site, not a bad release", StringComparison.Ordinal));
        Assert.EndsWith(":v2", await BackendImageAsync(settings), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_check_that_passed_before_the_deploy_and_fails_after_it_rolls_the_release_back()
    {
        await using var world = await DeployerWorld.StartAsync(backendOnly: true);
        await world.RenderEnvAsync();
        await using var site = new GatedHealthEndpoint();
        site.Open();
        var settings = world.Settings(healthUrl: site.Url, healthTimeout: TimeSpan.FromSeconds(8));
        var (exit, output, errors) = await DeployerWorld.CliAsync("deploy", "--config", settings, "--bundle", world.BundleDirectory,
            "--env-dir", world.EnvDirectory, "--output", "json");
        Assert.True(exit == 0, errors + output);

        // Healthy before, failing from the moment v2 goes in, healthy again once v2 is given up.
        (exit, output, errors) = await DeployerWorld.CliAsync(line =>
        {
            if (line.Contains("docker service update", StringComparison.Ordinal))
            {
                site.Close();
            }
            else if (line.Contains("failed: ", StringComparison.Ordinal))
            {
                site.Open();
            }
        }, "deploy", "--config", settings, "--bundle", world.BundleDirectory, "--services", "backend", "--image-tag", "v2", "--output", "json");
        var report = Assert.Single(DeployerWorld.Report(output).Instances);
        Assert.Equal(DeployerCli.InstanceFailed, exit);
        Assert.True(report.Outcome == InstanceOutcome.RolledBack, $"{report.Outcome}: {report.Message}\n{errors}");
        Assert.True(report.Message.Contains("before the deploy: 0 of 2 checks failed", StringComparison.Ordinal), report.Message);
        Assert.EndsWith(":v1", await BackendImageAsync(settings), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Without_a_health_url_the_gate_asks_the_health_origin_for_the_health_path_the_bundle_declares()
    {
        // The model's backend answers its health on /ready: the bundle declares /backend/ready.
        await using var world = await DeployerWorld.StartAsync(backendOnly: true,
            model: s => s.WithService("backend", backend => backend with { HealthPath = "/ready" }));
        await world.RenderEnvAsync();
        await using var site = new GatedHealthEndpoint();
        site.Open();

        var (exit, output, errors) = await DeployerWorld.CliAsync("deploy", "--config", world.Settings(healthOrigin: site.Origin), "--bundle", world.BundleDirectory,
            "--env-dir", world.EnvDirectory, "--output", "json");

        var report = Assert.Single(DeployerWorld.Report(output).Instances);
        Assert.True(exit == 0, $"{report.Outcome}: {report.Message}\n{errors}");
        Assert.Contains($"health {site.Origin}/backend/ready", report.Steps);
        Assert.NotEmpty(site.Paths);
        Assert.All(site.Paths, path => Assert.Equal("/backend/ready", path));
    }

    private static async Task<string> BackendImageAsync(string settings) =>
        Assert.Single(Assert.Single(await DeployerWorld.StatusAsync(settings)).Services).Image;
}
