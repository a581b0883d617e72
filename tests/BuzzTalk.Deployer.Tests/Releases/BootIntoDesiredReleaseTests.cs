using System.Globalization;
using System.Runtime.Versioning;
using System.Text;
using System.Text.Json;
using BuzzTalk.Deployer.Cli;
using BuzzTalk.Deployer.Rollout;
using BuzzTalk.Deployer.Tests.Rollout;
using BuzzTalk.Publishing;
using BuzzTalk.Publishing.Startup;
using BuzzTalk.Testing;

namespace BuzzTalk.Deployer.Tests.Releases;

/// <summary>
/// The self-healing fleet on the real swarm: every deploy and rollback records the desired
/// release in the fake bucket and Secret Manager, and an instance replaced afterwards (stack,
/// releases and env files gone) boots into it through the published instance script, with nobody
/// calling the Deployer.
/// </summary>
[SupportedOSPlatform("linux")]
[Collection(DeployerServiceGroup.Name)]
public sealed class BootIntoDesiredReleaseTests
{
    [Fact]
    public async Task A_replaced_instance_boots_into_the_last_deploy_and_after_a_rollback_into_the_release_it_went_back_to()
    {
        await using var world = await DeployerWorld.StartAsync(backendOnly: false);
        await using var cloud = await FakeInstanceCloud.StartAsync();
        var settings = world.Settings(cloud: cloud);
        await world.RenderEnvAsync();
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };

        // v1 (the whole stack with its env files), then v2 of the backend.
        var (exit, output, errors) = await DeployerWorld.CliAsync("deploy", "--config", settings, "--bundle", world.BundleDirectory,
            "--env-dir", world.EnvDirectory, "--output", "json");
        Assert.True(exit == 0, errors + output);
        Assert.StartsWith("desired release r1 ", DeployerWorld.Report(output).Record, StringComparison.Ordinal);
        (exit, output, errors) = await DeployerWorld.CliAsync("deploy", "--config", settings, "--bundle", world.BundleDirectory,
            "--services", "backend", "--image-tag", "v2", "--output", "json");
        Assert.True(exit == 0, errors + output);
        Assert.StartsWith("desired release r2 ", DeployerWorld.Report(output).Record, StringComparison.Ordinal);
        var status = await StatusAsync(settings);
        Assert.True(status.Drift is null, status.Drift);
        Assert.Equal(2, status.DesiredRevision);
        Assert.Equal(2, status.Running?.Revision);

        // The service's drift monitor publishes the same comparison as a metric.
        var port = ServerProcess.FreePort();
        using var stop = new CancellationTokenSource();
        var service = DeployerCli.RunAsync(["serve", "--config", settings, "--urls", $"http://127.0.0.1:{port}",
            "--Deployer:Release:DriftInterval=00:00:01"], cancellationToken: stop.Token);
        using var metrics = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}"), Timeout = TimeSpan.FromSeconds(10) };
        await DriftMetricAsync(metrics, expected: 0);

        // The instance is replaced: a new disk, so no stack, no releases, no env files.
        var local = world.Boot(cloud, "local", world.FrontendPort);
        await local.WipeAsync();
        status = await StatusAsync(settings, expectDrift: true);
        Assert.NotNull(status.Drift);
        await DriftMetricAsync(metrics, expected: 1);

        var boot = await local.RunAsync();
        Assert.True(boot.ExitCode == 0, boot.Output);
        Assert.Equal("v2\n", await world.GetAsync(http, "/backend/version"));
        Assert.Equal("from-deployer\n", await world.GetAsync(http, "/backend/db"));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(world.HostPath("local", "env", "backend.env")));
        status = await StatusAsync(settings);
        Assert.True(status.Drift is null, status.Drift);
        Assert.Equal(2, status.Running?.Revision);
        await DriftMetricAsync(metrics, expected: 0);
        await stop.CancelAsync();
        Assert.Equal(0, await service.WaitAsync(TimeSpan.FromSeconds(30)));

        // Roll back: the recorded v1 is deployed again (the booted stack has no previous spec to
        // roll back to) and becomes the desired release; the next replacement boots v1.
        (exit, output, errors) = await DeployerWorld.CliAsync("rollback", "--config", settings, "--output", "json");
        Assert.True(exit == 0, errors + output);
        var rollback = DeployerWorld.Report(output);
        Assert.StartsWith("desired release r3 ", rollback.Record, StringComparison.Ordinal);
        Assert.Contains("backend v1", rollback.Record, StringComparison.Ordinal);
        Assert.Equal("v1\n", await world.GetAsync(http, "/backend/version"));

        await local.WipeAsync();
        boot = await local.RunAsync();
        Assert.True(boot.ExitCode == 0, boot.Output);
        Assert.Equal("v1\n", await world.GetAsync(http, "/backend/version"));
        status = await StatusAsync(settings);
        Assert.True(status.Drift is null, status.Drift);
        Assert.Equal(3, status.Running?.Revision);

        // No secret value anywhere but Secret Manager: not in the bucket's objects, the instance's
        // metadata, the boot's output or its log lines.
        foreach (var secret in DeployerWorld.Secrets)
        {
            Assert.DoesNotContain(cloud.Objects, o => Contains(o.Value, secret));
            Assert.DoesNotContain(cloud.Attributes.Values, v => v.Contains(secret, StringComparison.Ordinal));
            Assert.DoesNotContain(secret, boot.Output, StringComparison.Ordinal);
            Assert.DoesNotContain(secret, boot.Log, StringComparison.Ordinal);
        }

        // One env version: the same files are not stored twice.
        Assert.Single(cloud.SecretVersions("buzztalk-env"));
    }

    [Fact]
    public async Task An_instance_the_group_adds_boots_into_the_desired_release_by_itself_beside_the_running_one()
    {
        await using var world = await DeployerWorld.StartAsync(portPerInstance: true);
        await using var cloud = await FakeInstanceCloud.StartAsync();
        await world.RenderEnvAsync();
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };

        // The fleet is one instance: v1 with its env files, then backend v2.
        var settings = world.Settings(cloud: cloud);
        var (exit, output, errors) = await DeployerWorld.CliAsync("deploy", "--config", settings, "--bundle", world.BundleDirectory,
            "--env-dir", world.EnvDirectory, "--output", "json");
        Assert.True(exit == 0, errors + output);
        (exit, output, errors) = await DeployerWorld.CliAsync("deploy", "--config", settings, "--bundle", world.BundleDirectory,
            "--services", "backend", "--image-tag", "v2", "--output", "json");
        Assert.True(exit == 0, errors + output);

        // The group adds an instance (its SSH endpoint and stack namespace on the same swarm): the
        // inventory lists it before anything runs on it, and status shows it behind.
        var grown = world.Settings([("local", world.Ssh.Port), ("added", world.Ssh.Port)], cloud: cloud);
        var statuses = await StatusesAsync(grown, expectDrift: true);
        Assert.True(statuses.Single(s => s.Instance == "local").Drift is null, statuses.Single(s => s.Instance == "local").Drift);
        Assert.NotNull(statuses.Single(s => s.Instance == "added").Drift);

        // Its boot pulls the desired release: nobody calls the Deployer.
        var added = world.Boot(cloud, "added", ServerProcess.FreePort());
        var boot = await added.RunAsync();
        Assert.True(boot.ExitCode == 0, boot.Output);
        Assert.Equal("v2\n", await added.GetAsync(http, "/backend/version"));
        Assert.Equal("from-deployer\n", await added.GetAsync(http, "/backend/db"));
        Assert.Equal("v2\n", await world.GetAsync(http, "/backend/version"));

        statuses = await StatusesAsync(grown);
        Assert.All(statuses, s =>
        {
            Assert.True(s.Drift is null, $"{s.Instance}: {s.Drift}");
            Assert.Equal(2, s.Running?.Revision);
        });
        Assert.Equal(["added", "local"], statuses.Select(s => s.Instance).Order());
        foreach (var secret in DeployerWorld.Secrets)
        {
            Assert.DoesNotContain(secret, boot.Output, StringComparison.Ordinal);
            Assert.DoesNotContain(secret, boot.Log, StringComparison.Ordinal);
        }
    }

    /// <summary>Waits until the service's <c>/metrics</c> shows the instance's drift gauge at the value.</summary>
    private static async Task DriftMetricAsync(HttpClient http, int expected)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var last = "";
        while (true)
        {
            try
            {
                last = await http.GetStringAsync(new Uri("/metrics", UriKind.Relative), timeout.Token);
                var match = System.Text.RegularExpressions.Regex.Match(last, @"^buzztalk_deployer_instance_drift\{[^}]*instance_name=""local""[^}]*\} (\d+)",
                    System.Text.RegularExpressions.RegexOptions.Multiline);
                if (match.Success && match.Groups[1].Value == expected.ToString(CultureInfo.InvariantCulture))
                {
                    return;
                }

                await Task.Delay(200, timeout.Token);
            }
            catch (OperationCanceledException) when (timeout.IsCancellationRequested)
            {
                Assert.Fail($"the drift gauge never showed {expected}:\n{last}");
            }
            catch (HttpRequestException)
            {
                await Task.Delay(200, timeout.Token); // the service is still starting
            }
        }
    }

    private static bool Contains(byte[] content, string secret)
    {
        if (Encoding.UTF8.GetString(content).Contains(secret, StringComparison.Ordinal))
        {
            return true;
        }

        // Release archives are gzip: look inside too.
        try
        {
            return Deployer.Releases.ReleaseArchive.Read(content).Values.Any(f => Encoding.UTF8.GetString(f).Contains(secret, StringComparison.Ordinal));
        }
        catch (InvalidDataException)
        {
            return false;
        }
    }

    private static async Task<InstanceStatus> StatusAsync(string settings, bool expectDrift = false) =>
        Assert.Single(await StatusesAsync(settings, expectDrift));

    private static async Task<List<InstanceStatus>> StatusesAsync(string settings, bool expectDrift = false)
    {
        var (exit, output, errors) = await DeployerWorld.CliAsync("status", "--config", settings, "--output", "json");
        Assert.True(exit == (expectDrift ? 1 : 0), errors + output);
        return JsonSerializer.Deserialize(output, DeployerJsonContext.Default.ListInstanceStatus)!;
    }
}
