using BuzzTalk.Deployer.Rollout;
using BuzzTalk.Publishing.Stack;
using BuzzTalk.Testing;

namespace BuzzTalk.Deployer.Tests.Rollout;

/// <summary>
/// The stable edge on the real local swarm over real SSH: one nginx owns the instance's port and
/// stays while the SPA rolls start-first behind it and while its own config changes by reload.
/// </summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class EdgeRolloutTests
{
    [Fact]
    public async Task A_frontend_deploy_and_an_edge_config_change_keep_the_edge_and_drop_no_request_and_a_config_nginx_refuses_changes_nothing()
    {
        await using var world = await DeployerWorld.StartAsync();
        var settings = world.Settings();
        await world.RenderEnvAsync();
        var (exit, output, errors) = await DeployerWorld.CliAsync("deploy", "--config", settings, "--bundle", world.BundleDirectory,
            "--env-dir", world.EnvDirectory, "--output", "json");
        Assert.True(exit == 0, errors + output);
        var edge = await world.ContainerOfAsync("local", "edge");
        var spa = await world.ContainerOfAsync("local", "frontend");
        Assert.NotEqual("", edge);
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
        Assert.Equal("ok\n", await world.GetAsync(http, "/healthz"));

        // A new SPA image (the same nginx under another tag) while the page and the API are asked for.
        await ToolRun.RunCheckedAsync("docker", Path.GetTempPath(), "tag", TestStackFile.NginxImage, "buzztalk/nginx:spa2");
        var page = BalancerProbe.Start(new Uri($"http://127.0.0.1:{world.FrontendPort}/some/client/route"), TimeSpan.FromMilliseconds(50));
        var api = BalancerProbe.Start(new Uri($"http://127.0.0.1:{world.FrontendPort}/backend/health"), TimeSpan.FromMilliseconds(50));
        (exit, output, errors) = await DeployerWorld.CliAsync("deploy", "--config", settings, "--bundle", world.BundleDirectory,
            "--services", "frontend", "--image-tag", "spa2", "--output", "json");
        Assert.True(exit == 0, errors + output);
        Assert.NotEqual(spa, await world.ContainerOfAsync("local", "frontend"));

        // The edge's config changes (here what /healthz says): a whole-stack deploy (which also
        // takes the SPA back to its published image, start-first again) reloads the edge.
        await world.RewriteBundleFileAsync(StackFileGenerator.NginxPath, config => config.Replace("return 200 \"ok\\n\";", "return 200 \"ok v2\\n\";", StringComparison.Ordinal));
        (exit, output, errors) = await DeployerWorld.CliAsync("deploy", "--config", settings, "--bundle", world.BundleDirectory, "--output", "json");
        Assert.True(exit == 0, errors + output);
        Assert.Contains("edge reloaded", string.Join("\n", Assert.Single(DeployerWorld.Report(output).Instances).Steps), StringComparison.Ordinal);
        Assert.Equal("ok v2\n", await world.GetAsync(http, "/healthz"));
        foreach (var probe in new[] { await page.StopAsync(), await api.StopAsync() })
        {
            Assert.True(probe.Sent > 50, $"only {probe.Sent} requests");
            Assert.True(probe.Failures.Count == 0, $"{probe.Failures.Count} of {probe.Sent} failed: {string.Join("; ", probe.Failures.Take(5))}");
        }

        Assert.Equal(edge, await world.ContainerOfAsync("local", "edge"));

        // A config nginx refuses: the deploy fails before the stack changes, and the edge keeps its config.
        await world.RewriteBundleFileAsync(StackFileGenerator.NginxPath, config => config.Replace("server_tokens off;", "server_tokens off;\n    not_a_directive on;", StringComparison.Ordinal));
        (exit, output, errors) = await DeployerWorld.CliAsync("deploy", "--config", settings, "--bundle", world.BundleDirectory, "--output", "json");
        Assert.NotEqual(0, exit);
        var refused = Assert.Single(DeployerWorld.Report(output).Instances);
        Assert.Equal(InstanceOutcome.Failed, refused.Outcome);
        Assert.Contains("nginx -t", refused.Message, StringComparison.Ordinal);
        Assert.Equal("ok v2\n", await world.GetAsync(http, "/healthz"));
        Assert.Equal(edge, await world.ContainerOfAsync("local", "edge"));
        Assert.DoesNotContain("not_a_directive", await File.ReadAllTextAsync(world.HostPath("local", "opt", "edge", "nginx.conf")), StringComparison.Ordinal);
        Assert.False(File.Exists(world.HostPath("local", "lease", "deploy.lease")));
    }
}
