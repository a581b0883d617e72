using Aspire.Hosting;
using Aspire.Hosting.ApplicationModel;
using Aspire.Hosting.Testing;
using BuzzTalk.Testing;

namespace BuzzTalk.AppHost.Tests;

/// <summary>
/// How the stack reaches what is not on this machine, inspected without starting: with
/// <c>BuzzTalk:RemoteDatabase</c> it runs no MySQL (the Deployer's tunnel forwards a local port
/// over SSH and the backends connect to it); <c>BuzzTalk:Fleet</c> gives the Scaler and the
/// Deployer their SSH key and pinned host keys.
/// </summary>
public sealed class RemoteAccessModelTests
{
    [Fact]
    public async Task A_remote_database_replaces_the_local_mysql_with_an_ssh_tunnel_the_backends_use()
    {
        using var state = new ScratchDirectory();
        var key = Path.Combine(state.Path, "id_ed25519");
        var knownHosts = Path.Combine(state.Path, "known_hosts");
        await File.WriteAllTextAsync(key, "not read while modelling");
        await File.WriteAllTextAsync(knownHosts, "db.example.net ssh-ed25519 AAAA\n");
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await using var builder = await DistributedApplicationTestingBuilder.CreateAsync<Projects.BuzzTalk_AppHost>(
            ["--BuzzTalk:LocalRuntime", "processes", "--BuzzTalk:StateDirectory", state.Path,
             "--BuzzTalk:RemoteDatabase:Host", "db.example.net", "--BuzzTalk:RemoteDatabase:SshPort", "21098",
             "--BuzzTalk:RemoteDatabase:User", "cpaneluser", "--BuzzTalk:RemoteDatabase:PrivateKeyFile", key,
             "--BuzzTalk:RemoteDatabase:KnownHostsFile", knownHosts], cts.Token);

        Assert.DoesNotContain(builder.Resources, r => r.Name == "mysql-init" || r is ExecutableResource { Name: "mysql" });
        var tunnel = Assert.IsType<ProjectResource>(builder.Resources.Single(r => r.Name == "mysql-tunnel"));

        // What Discovery references as "mysql" is a connection string over the tunnel's local port.
        var connection = Assert.IsType<ConnectionStringResource>(builder.Resources.Single(r => r.Name == "mysql"));
        Assert.Contains(connection.ConnectionStringExpression.ValueProviders, p => p is EndpointReferenceExpression e && e.Endpoint.Resource == tunnel);
        var discovery = await ModelInspection.RawEnvAsync(builder.Resources.Single(r => r.Name == "discovery"));
        Assert.Same(connection, Assert.IsType<ConnectionStringReference>(discovery["ConnectionStrings__mysql"]).Resource);

        var args = await ModelInspection.ArgsAsync(tunnel);
        Assert.Equal(["tunnel", "--host", "db.example.net", "--ssh-port", "21098", "--remote-host", "127.0.0.1", "--remote-port", "3306", "--local-port"],
            args.Take(10));

        var env = await ModelInspection.RawEnvAsync(builder.Resources.Single(r => r.Name == "backend"));

        var port = Assert.IsType<EndpointReferenceExpression>(env["MYSQL_DB_PORT"], exactMatch: false);
        Assert.Same(tunnel, port.Endpoint.Resource);
    }

    [Fact]
    public async Task A_remote_database_without_pinned_host_keys_is_refused()
    {
        using var state = new ScratchDirectory();
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var ex = await Assert.ThrowsAnyAsync<Exception>(async () =>
        {
            await using var builder = await DistributedApplicationTestingBuilder.CreateAsync<Projects.BuzzTalk_AppHost>(
                ["--BuzzTalk:LocalRuntime", "processes", "--BuzzTalk:StateDirectory", state.Path,
                 "--BuzzTalk:RemoteDatabase:Host", "db.example.net", "--BuzzTalk:RemoteDatabase:User", "u"], cts.Token);
        });
        Assert.Contains("KnownHostsFile", ex.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Fleet_ssh_settings_reach_the_scaler_and_the_deployer_as_paths_only()
    {
        using var state = new ScratchDirectory();
        var key = Path.Combine(state.Path, "id_ed25519");
        var knownHosts = Path.Combine(state.Path, "known_hosts");
        await File.WriteAllTextAsync(key, "-----BEGIN OPENSSH PRIVATE KEY----- secret material");
        await File.WriteAllTextAsync(knownHosts, "203.0.113.7 ssh-ed25519 AAAA\n");
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await using var builder = await DistributedApplicationTestingBuilder.CreateAsync<Projects.BuzzTalk_AppHost>(
            ["--BuzzTalk:LocalRuntime", "processes", "--BuzzTalk:StateDirectory", state.Path,
             "--BuzzTalk:Fleet:SshUser", "deploy", "--BuzzTalk:Fleet:PrivateKeyFile", key, "--BuzzTalk:Fleet:KnownHostsFile", knownHosts], cts.Token);

        foreach (var (name, section) in new[] { ("scaler", "Scaler"), ("deployer", "Deployer") })
        {
            var env = await ModelInspection.RawEnvAsync(builder.Resources.Single(r => r.Name == name));

            Assert.Equal("deploy", env[$"{section}__Ssh__User"]);
            Assert.Equal(key, env[$"{section}__Ssh__PrivateKeyFile"]);
            Assert.Equal(knownHosts, env[$"{section}__Ssh__KnownHostsFile"]);
            Assert.DoesNotContain(env.Values, v => v.ToString()!.Contains("secret material", StringComparison.Ordinal));
        }
    }
}
