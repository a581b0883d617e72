using BuzzTalk.Deployer.Cli;

namespace BuzzTalk.Deployer.Tests.Rollout;

/// <summary>Bad input is refused with a clear error, exit code 2, and nothing on any host changes.</summary>
public sealed class BadInputTests
{
    [Fact]
    public async Task A_bundle_with_a_missing_file_is_refused_before_any_host_is_touched()
    {
        await using var world = await DeployerWorld.StartAsync(backendOnly: true);
        await world.RenderEnvAsync();
        File.Delete(Path.Combine(world.BundleDirectory, "nginx", "nginx.conf"));

        var (exit, _, errors) = await DeployerWorld.CliAsync("deploy", "--config", world.Settings(healthUrl: ""), "--bundle", world.BundleDirectory,
            "--env-dir", world.EnvDirectory);

        Assert.Equal(DeployerCli.BadInput, exit);
        Assert.Contains("nginx/nginx.conf", errors, StringComparison.Ordinal);
        Assert.False(Directory.Exists(world.HostPath("local")));
    }

    [Fact]
    public async Task An_unknown_service_or_a_bad_tag_is_refused()
    {
        await using var world = await DeployerWorld.StartAsync(backendOnly: true);
        var settings = world.Settings(healthUrl: "");

        var (exit, _, errors) = await DeployerWorld.CliAsync("deploy", "--config", settings, "--bundle", world.BundleDirectory, "--services", "backend,postgres");
        Assert.Equal(DeployerCli.BadInput, exit);
        Assert.Contains("postgres", errors, StringComparison.Ordinal);

        (exit, _, errors) = await DeployerWorld.CliAsync("deploy", "--config", settings, "--bundle", world.BundleDirectory, "--services", "backend",
            "--image-tag", "v2;reboot");
        Assert.Equal(DeployerCli.BadInput, exit);
        Assert.Contains("--image-tag", errors, StringComparison.Ordinal);
        Assert.False(Directory.Exists(world.HostPath("local")));
    }

    [Fact]
    public async Task A_bad_env_file_writes_nothing_and_never_echoes_a_value()
    {
        await using var world = await DeployerWorld.StartAsync(backendOnly: true);
        var env = Path.Combine(world.Root, "bad.env");
        await File.WriteAllTextAsync(env, "MYSQL_DB_PASSWORD=Secret-77aa91\nMYSQL_DB_USER\n");

        var (exit, output, errors) = await DeployerWorld.CliAsync("render-env", "--env", env, "--bundle", world.BundleDirectory, "--out", world.EnvDirectory);

        Assert.Equal(DeployerCli.BadInput, exit);
        Assert.Contains("line 2", errors, StringComparison.Ordinal);
        Assert.DoesNotContain("Secret-77aa91", errors + output, StringComparison.Ordinal);
        Assert.False(Directory.Exists(world.EnvDirectory));

        // And a deploy pointed at a folder without rendered files refuses before connecting.
        (exit, _, errors) = await DeployerWorld.CliAsync("deploy", "--config", world.Settings(healthUrl: ""), "--bundle", world.BundleDirectory,
            "--env-dir", world.EnvDirectory);
        Assert.Equal(DeployerCli.BadInput, exit);
        Assert.Contains("render-env", errors, StringComparison.Ordinal);
        Assert.False(Directory.Exists(world.HostPath("local")));
    }

    [Fact]
    public async Task Settings_without_a_key_or_known_hosts_are_refused_before_connecting()
    {
        await using var world = await DeployerWorld.StartAsync(backendOnly: true);
        var settings = Path.Combine(world.Root, "no-key.json");
        await File.WriteAllTextAsync(settings, """{ "Deployer": { "Instances": [ { "Name": "x", "Host": "127.0.0.1" } ] } }""");

        var (exit, _, errors) = await DeployerWorld.CliAsync("status", "--config", settings);

        Assert.Equal(DeployerCli.BadInput, exit);
        Assert.Contains("Deployer:Ssh:PrivateKeyFile", errors, StringComparison.Ordinal);
        Assert.Contains("Deployer:Ssh:KnownHostsFile", errors, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_value_from_the_uploaded_env_files_never_appears_in_a_report()
    {
        await using var world = await DeployerWorld.StartAsync(backendOnly: true);
        await world.RenderEnvAsync();
        // A health URL that happens to carry the database password: the failure report quotes the
        // URL, and the report must show *** instead of the value.
        var settings = world.Settings(healthUrl: "http://127.0.0.1:1/Pw-9f2c71d0a4", healthTimeout: TimeSpan.FromSeconds(2));

        var (exit, output, errors) = await DeployerWorld.CliAsync("deploy", "--config", settings, "--bundle", world.BundleDirectory,
            "--env-dir", world.EnvDirectory, "--output", "json");

        Assert.Equal(DeployerCli.InstanceFailed, exit);
        Assert.Contains("***", output, StringComparison.Ordinal);
        Assert.DoesNotContain("Pw-9f2c71d0a4", output + errors, StringComparison.Ordinal);
    }
}
