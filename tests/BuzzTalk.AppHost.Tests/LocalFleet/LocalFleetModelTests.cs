using Aspire.Hosting;
using Aspire.Hosting.ApplicationModel;
using Aspire.Hosting.Eventing;
using Aspire.Hosting.Testing;
using BuzzTalk.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace BuzzTalk.AppHost.Tests.LocalFleet;

/// <summary>
/// <c>BuzzTalk:Fleet=local</c>, inspected without starting: building the model writes nothing,
/// and the app's start (its <see cref="BeforeStartEvent"/>) writes the instance's sshd config and a pinned host
/// key; Discovery's static inventory, the Scaler's and the Deployer's SSH settings, Prometheus and
/// Alertmanager on the bundle's monitoring config, and a bundle whose ports match all of them.
/// </summary>
public sealed class LocalFleetModelTests
{
    [Fact]
    public async Task The_local_fleet_is_one_instance_reached_over_ssh_with_a_pinned_host_key()
    {
        using var state = new ScratchDirectory();
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await using var builder = await DistributedApplicationTestingBuilder.CreateAsync<Projects.BuzzTalk_AppHost>(
            ["--BuzzTalk:LocalRuntime", "processes", "--BuzzTalk:StateDirectory", state.Path, "--BuzzTalk:Fleet", "local",
             "--BuzzTalk:LocalFleet:SshPort", "42022", "--BuzzTalk:LocalFleet:HostAddress", "172.31.0.1"], cts.Token);

        var fleet = Path.Combine(state.Path, "fleet");
        var sshd = builder.Resources.Single(r => r.Name == "fleet-ssh");
        Assert.Contains(Path.Combine(fleet, "ssh", "sshd_config"), await ModelInspection.ArgsAsync(sshd));
        Assert.False(Directory.Exists(Path.Combine(fleet, "ssh")), "building the model made the fleet's keys");

        // What starting the app does first.
        await using var app = await builder.BuildAsync(cts.Token);
        await app.Services.GetRequiredService<IDistributedApplicationEventing>().PublishAsync(
            new BeforeStartEvent(app.Services, app.Services.GetRequiredService<DistributedApplicationModel>()), cts.Token);
        var sshdConfig = await File.ReadAllTextAsync(Path.Combine(fleet, "ssh", "sshd_config"), cts.Token);
        Assert.Contains("ListenAddress 127.0.0.1", sshdConfig, StringComparison.Ordinal);
        Assert.Contains("PasswordAuthentication no", sshdConfig, StringComparison.Ordinal);

        // The host key is pinned for exactly this host and port, as for a cloud instance.
        var hostKey = (await File.ReadAllTextAsync(Path.Combine(fleet, "ssh", "host_ed25519.pub"), cts.Token)).Split(' ');
        Assert.Equal($"[127.0.0.1]:42022 {hostKey[0]} {hostKey[1]}\n", await File.ReadAllTextAsync(Path.Combine(fleet, "ssh", "known_hosts"), cts.Token));

        var discovery = await ModelInspection.EnvAsync(builder.Resources.Single(r => r.Name == "discovery"));
        Assert.Equal("Static", discovery["Discovery__Provider"]);
        Assert.Equal("127.0.0.1", discovery["Discovery__Instances__0__PublicIp"]);
        Assert.Equal("local-1", discovery["Discovery__Instances__0__Name"]);

        foreach (var (name, section) in new[] { ("scaler", "Scaler"), ("deployer", "Deployer") })
        {
            var env = await ModelInspection.EnvAsync(builder.Resources.Single(r => r.Name == name));
            Assert.Equal("42022", env[$"{section}__Ssh__Port"]);
            Assert.Equal(Path.Combine(fleet, "ssh", "known_hosts"), env[$"{section}__Ssh__KnownHostsFile"]);
            Assert.Equal(Path.Combine(fleet, "instance", "lease"), env[$"{section}__LeaseDirectory"]);
        }

        var deployer = await ModelInspection.EnvAsync(builder.Resources.Single(r => r.Name == "deployer"));
        Assert.Equal(Path.Combine(fleet, "bundle"), deployer["Deployer__Bundle"]);
        Assert.Equal(Path.Combine(fleet, "secrets", "fleet.env"), deployer["Deployer__EnvFile"]);

        // MySQL and Redis also listen where the instance's containers reach this machine.
        Assert.Contains("--bind-address=127.0.0.1,172.31.0.1", await ModelInspection.ArgsAsync(builder.Resources.Single(r => r.Name == "mysql")));
        var redisArgs = await ModelInspection.ArgsAsync(builder.Resources.Single(r => r.Name == "redis"));
        Assert.Equal(["--bind", "127.0.0.1", "172.31.0.1"], redisArgs.Skip(1).Take(3));

        // Prometheus and Alertmanager run the bundle's own files; the demo waits for the whole fleet.
        var prometheus = await ModelInspection.ArgsAsync(builder.Resources.Single(r => r.Name == "prometheus"));
        Assert.Contains($"--config.file={Path.Combine(fleet, "bundle", "monitoring", "prometheus", "prometheus.yml")}", prometheus);
        var alertmanager = await ModelInspection.ArgsAsync(builder.Resources.Single(r => r.Name == "alertmanager"));
        Assert.Contains($"--config.file={Path.Combine(fleet, "bundle", "monitoring", "alertmanager", "alertmanager.yml")}", alertmanager);
        var demo = builder.Resources.Single(r => r.Name == "demo");
        Assert.True(demo.TryGetAnnotationsOfType<ExplicitStartupAnnotation>(out _), "the demo starts from the dashboard unless told to run");

        // The health gate asks the instance's site for the bundle's health path; the demo checks
        // and loads the same path, the published model's.
        var demoEnv = await ModelInspection.EnvAsync(demo);
        Assert.Equal(demoEnv["Demo__SiteUrl"], deployer["Deployer__Health__Origin"]);
        Assert.False(deployer.ContainsKey("Deployer__Health__Url"), "a full health URL would override the bundle's path");
        Assert.Equal(BuzzTalk.Publishing.Nginx.NginxConfigGenerator.BackendPrefix + BuzzTalk.AppHost.Resources.BackendResources.HealthPath, demoEnv["Demo__BackendHealthPath"]);
    }

    [Fact]
    public async Task An_unknown_fleet_mode_is_refused_with_the_one_valid_value()
    {
        using var state = new ScratchDirectory();
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var ex = await Assert.ThrowsAnyAsync<Exception>(async () =>
        {
            await using var builder = await DistributedApplicationTestingBuilder.CreateAsync<Projects.BuzzTalk_AppHost>(
                ["--BuzzTalk:LocalRuntime", "processes", "--BuzzTalk:StateDirectory", state.Path, "--BuzzTalk:Fleet", "cloud"], cts.Token);
        });
        Assert.Contains("'cloud' is not a fleet mode", ex.ToString(), StringComparison.Ordinal);
        Assert.False(Directory.Exists(Path.Combine(state.Path, "fleet")));
    }
}
