using BuzzTalk.Fleet.Ssh;
using BuzzTalk.Testing;

namespace BuzzTalk.Fleet.Tests.Ssh;

/// <summary>Sessions against a real OpenSSH server on loopback.</summary>
public sealed class SshHostSessionTests : IAsyncLifetime
{
    private SshServer? _server;

    private SshServer Server => _server!;

    public async Task InitializeAsync() => _server = await SshServer.StartAsync();

    public async Task DisposeAsync()
    {
        if (_server is not null)
        {
            await _server.DisposeAsync();
        }
    }

    private SshHostOptions Options(TimeSpan? commandTimeout = null) => new()
    {
        User = Server.User,
        PrivateKeyFile = Server.ClientKeyFile,
        Port = Server.Port,
        ConnectTimeout = TimeSpan.FromSeconds(10),
        CommandTimeout = commandTimeout ?? TimeSpan.FromSeconds(30),
    };

    private SshHostSession Session(string knownHosts, TimeSpan? commandTimeout = null) =>
        new("127.0.0.1", Options(commandTimeout), KnownHosts.Parse(knownHosts));

    [Fact]
    public async Task Commands_run_with_every_argument_passed_literally_and_report_output_and_exit_code()
    {
        await using var session = Session(Server.KnownHostsLine);

        var echoed = await session.RunAsync("printf", ["%s|", "two words", "$(id)", "`id`; exit 3", "it's"]);
        var failed = await session.RunAsync("sh", ["-c", "echo oops >&2; exit 7"]);

        Assert.Equal(0, echoed.ExitCode);
        Assert.Equal("two words|$(id)|`id`; exit 3|it's|", echoed.Output);
        Assert.Equal(7, failed.ExitCode);
        Assert.Equal("oops\n", failed.Error);
    }

    [Fact]
    public async Task One_connection_serves_every_command()
    {
        await using var session = Session(Server.KnownHostsLine);

        var first = await session.RunAsync("sh", ["-c", "echo $SSH_CONNECTION"]);
        var second = await session.RunAsync("sh", ["-c", "echo $SSH_CONNECTION"]);

        Assert.Equal(first.Output, second.Output); // same client port: the same TCP connection
        Assert.Equal(1, session.Connections);
    }

    [Fact]
    public async Task An_unknown_host_key_is_refused_before_anything_runs()
    {
        await using var session = Session("");

        var error = await Assert.ThrowsAsync<HostKeyRejectedException>(() => session.RunAsync("touch", [Path.Combine(Server.Directory, "ran")]));

        Assert.Equal(HostKeyVerdict.Unknown, error.Verdict);
        Assert.False(File.Exists(Path.Combine(Server.Directory, "ran")));
    }

    [Fact]
    public async Task A_changed_host_key_is_refused()
    {
        var pinned = Server.KnownHostsLine;
        await Server.StopAsync();
        await Server.ReplaceHostKeyAsync();
        await Server.StartAgainAsync();
        await using var session = Session(pinned);

        var error = await Assert.ThrowsAsync<HostKeyRejectedException>(() => session.RunAsync("true", []));

        Assert.Equal(HostKeyVerdict.Changed, error.Verdict);
        Assert.Contains("CHANGED", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_command_over_its_timeout_is_stopped_and_the_session_stays_usable()
    {
        await using var session = Session(Server.KnownHostsLine);

        await Assert.ThrowsAsync<TimeoutException>(() => session.RunAsync("sleep", ["30"], TimeSpan.FromMilliseconds(300)));
        var after = await session.RunAsync("echo", ["still here"]);

        Assert.Equal("still here\n", after.Output);
    }

    [Fact]
    public async Task Cancellation_stops_a_running_command()
    {
        await using var session = Session(Server.KnownHostsLine);
        using var cts = new CancellationTokenSource(TimeSpan.FromMilliseconds(300));

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => session.RunAsync("sleep", ["30"], cancellationToken: cts.Token));
    }

    [Fact]
    public async Task After_the_server_restarts_the_next_command_reconnects()
    {
        await using var session = Session(Server.KnownHostsLine);
        await session.RunAsync("true", []);

        await Server.StopAsync();
        await Server.StartAgainAsync();
        // The first command after the drop may notice it; the session then opens a new connection.
        RemoteResult? result = null;
        for (var attempt = 0; attempt < 2 && result is null; attempt++)
        {
            try
            {
                result = await session.RunAsync("echo", ["back"]);
            }
            catch (IOException)
            {
                // The old connection was found dead: dropped, next attempt reconnects.
            }
        }

        Assert.Equal("back\n", result?.Output);
        Assert.Equal(2, session.Connections);
    }

    [Fact]
    public async Task A_wrong_client_key_fails_authentication()
    {
        var other = Path.Combine(Server.Directory, "stranger");
        await using (var keygen = ServerProcess.Start("ssh-keygen", Server.Directory, 0, "-q", "-t", "ed25519", "-N", "", "-f", other))
        {
            Assert.Equal(0, await keygen.WaitForExitAsync(TimeSpan.FromSeconds(30)));
        }

        var options = Options();
        options.PrivateKeyFile = other;
        await using var session = new SshHostSession("127.0.0.1", options, KnownHosts.Parse(Server.KnownHostsLine));

        await Assert.ThrowsAsync<Renci.SshNet.Common.SshAuthenticationException>(() => session.RunAsync("true", []));
    }
}
