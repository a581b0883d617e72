using System.Net;
using System.Net.Sockets;
using BuzzTalk.Fleet.Ssh;
using BuzzTalk.Testing;

namespace BuzzTalk.Fleet.Tests.Ssh;

/// <summary>Tunnels through a real OpenSSH server on loopback to a real redis-server (or a greeting server).</summary>
public sealed class SshTunnelTests : IAsyncLifetime
{
    private static readonly TimeSpan s_wait = TimeSpan.FromSeconds(30);
    private SshServer? _server;
    private RedisServer? _redis;

    private SshServer Server => _server!;

    private RedisServer Redis => _redis!;

    public async Task InitializeAsync()
    {
        _server = await SshServer.StartAsync();
        _redis = new RedisServer();
        await _redis.StartAsync();
    }

    public async Task DisposeAsync()
    {
        if (_redis is not null)
        {
            await _redis.DisposeAsync();
        }

        if (_server is not null)
        {
            await _server.DisposeAsync();
        }
    }

    private SshHostOptions Ssh() => new()
    {
        User = Server.User,
        PrivateKeyFile = Server.ClientKeyFile,
        Port = Server.Port,
        ConnectTimeout = TimeSpan.FromSeconds(10),
    };

    private static SshTunnelOptions Tunnel(int remotePort, TimeSpan? healthInterval = null) => new()
    {
        RemotePort = remotePort,
        KeepAliveInterval = TimeSpan.FromSeconds(2),
        HealthInterval = healthInterval ?? TimeSpan.FromMinutes(10),
        CheckTimeout = TimeSpan.FromSeconds(3),
        ReconnectMinDelay = TimeSpan.FromMilliseconds(100),
        ReconnectMaxDelay = TimeSpan.FromMilliseconds(500),
    };

    private SshTunnel Open(SshTunnelOptions options, string? knownHosts = null) =>
        new("127.0.0.1", Ssh(), options, KnownHosts.Parse(knownHosts ?? Server.KnownHostsLine));

    private static async Task<bool> AcceptsAsync(IPAddress address, int port)
    {
        using var client = new TcpClient();
        try
        {
            await client.ConnectAsync(address, port);
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }

    [Fact]
    public async Task Traffic_flows_through_the_tunnel_on_a_loopback_only_port()
    {
        await using var tunnel = Open(Tunnel(Redis.Port));

        await tunnel.StartAsync();

        Assert.Equal(TunnelState.Up, tunnel.State);
        Assert.NotEqual(0, tunnel.LocalPort);
        Assert.NotEqual(Redis.Port, tunnel.LocalPort);
        Assert.Equal("+PONG", await RedisPing.PingAsync(tunnel.LocalPort));
        // Bound to 127.0.0.1 only: another loopback address (or any interface) is not listening.
        Assert.False(await AcceptsAsync(IPAddress.Parse("127.0.0.2"), tunnel.LocalPort));
    }

    [Fact]
    public async Task A_requested_local_port_is_used()
    {
        var wanted = ServerProcess.FreePort();
        var options = Tunnel(Redis.Port);
        options.LocalPort = wanted;
        await using var tunnel = Open(options);

        await tunnel.StartAsync();

        Assert.Equal(wanted, tunnel.LocalPort);
        Assert.Equal("+PONG", await RedisPing.PingAsync(wanted));
    }

    [Fact]
    public async Task An_unknown_host_key_is_refused_and_no_port_is_opened()
    {
        var wanted = ServerProcess.FreePort();
        var options = Tunnel(Redis.Port);
        options.LocalPort = wanted;
        await using var tunnel = Open(options, knownHosts: "");

        var error = await Assert.ThrowsAsync<HostKeyRejectedException>(() => tunnel.StartAsync());

        Assert.Equal(HostKeyVerdict.Unknown, error.Verdict);
        Assert.Equal(TunnelState.Stopped, tunnel.State);
        Assert.False(await AcceptsAsync(IPAddress.Loopback, wanted));
        Assert.False(await tunnel.CheckAsync());
    }

    [Fact]
    public async Task After_the_ssh_server_restarts_the_tunnel_reconnects_on_the_same_port()
    {
        await using var tunnel = Open(Tunnel(Redis.Port));
        await tunnel.StartAsync();
        var port = tunnel.LocalPort;
        Assert.Equal("+PONG", await RedisPing.PingAsync(port));
        using var timeout = new CancellationTokenSource(s_wait);

        await Server.StopAsync();
        await tunnel.WaitForStateAsync(TunnelState.Reconnecting, timeout.Token);
        await Server.StartAgainAsync();
        await tunnel.WaitForStateAsync(TunnelState.Up, timeout.Token);

        Assert.Equal(port, tunnel.LocalPort);
        Assert.Equal("+PONG", await RedisPing.PingAsync(port));
        Assert.Equal(2, tunnel.Connections);
    }

    [Fact]
    public async Task The_health_check_is_false_while_the_target_is_down_and_true_after()
    {
        await using var tunnel = Open(Tunnel(Redis.Port));
        await tunnel.StartAsync();
        Assert.True(await tunnel.CheckAsync());

        await Redis.StopAsync();
        var whileDown = await tunnel.CheckAsync();
        await Redis.StartAsync();
        var after = await tunnel.CheckAsync();

        Assert.False(whileDown);
        Assert.True(after);
    }

    [Fact]
    public async Task The_banner_check_needs_the_server_to_speak_first()
    {
        await using var banner = new BannerServer();
        var greeting = Tunnel(banner.Port);
        greeting.CheckMode = TunnelCheckMode.ExpectBanner;
        var silent = Tunnel(Redis.Port);
        silent.CheckMode = TunnelCheckMode.ExpectBanner;
        silent.CheckTimeout = TimeSpan.FromMilliseconds(500);
        await using var toBanner = Open(greeting);
        await using var toRedis = Open(silent);
        await toBanner.StartAsync();
        await toRedis.StartAsync();

        Assert.True(await toBanner.CheckAsync());
        Assert.False(await toRedis.CheckAsync()); // Redis waits for the client: no greeting
    }

    [Fact]
    public async Task A_failing_health_check_makes_the_loop_reconnect()
    {
        await using var tunnel = Open(Tunnel(Redis.Port, healthInterval: TimeSpan.FromMilliseconds(200)));
        await tunnel.StartAsync();
        using var timeout = new CancellationTokenSource(s_wait);

        await Redis.StopAsync();
        await tunnel.WaitForStateAsync(TunnelState.Reconnecting, timeout.Token);
        await Redis.StartAsync();
        await tunnel.WaitForStateAsync(TunnelState.Up, timeout.Token);

        Assert.True(tunnel.Connections >= 2);
        Assert.Equal("+PONG", await RedisPing.PingAsync(tunnel.LocalPort));
    }

    [Fact]
    public async Task Stop_closes_the_local_port()
    {
        var states = new List<TunnelState>();
        await using var tunnel = Open(Tunnel(Redis.Port));
        tunnel.StateChanged += (_, e) => states.Add(e.Current);
        await tunnel.StartAsync();
        var port = tunnel.LocalPort;

        await tunnel.StopAsync();

        Assert.Equal(TunnelState.Stopped, tunnel.State);
        Assert.False(await AcceptsAsync(IPAddress.Loopback, port));
        Assert.False(await tunnel.CheckAsync());
        Assert.Equal([TunnelState.Connecting, TunnelState.Up, TunnelState.Stopped], states);
    }

    [Theory]
    [InlineData(0, 0, "RemotePort")]
    [InlineData(70000, 0, "RemotePort")]
    [InlineData(3306, -1, "LocalPort")]
    [InlineData(3306, 65536, "LocalPort")]
    public void Invalid_ports_are_refused_with_the_setting_named(int remotePort, int localPort, string setting)
    {
        var options = new SshTunnelOptions { RemotePort = remotePort, LocalPort = localPort };

        var error = Assert.Throws<ArgumentException>(() => new SshTunnel("127.0.0.1", Ssh(), options, KnownHosts.Parse("")));

        Assert.Equal(setting, error.ParamName);
    }

    [Fact]
    public void Invalid_intervals_are_refused()
    {
        Assert.Throws<ArgumentException>(() => new SshTunnelOptions { RemotePort = 1, HealthInterval = TimeSpan.Zero }.Validate());
        Assert.Throws<ArgumentException>(() => new SshTunnelOptions { RemotePort = 1, RemoteHost = " " }.Validate());
        var error = Assert.Throws<ArgumentException>(() => new SshTunnelOptions
        {
            RemotePort = 1,
            ReconnectMinDelay = TimeSpan.FromSeconds(5),
            ReconnectMaxDelay = TimeSpan.FromSeconds(1),
        }.Validate());
        Assert.Contains("ReconnectMaxDelay", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Host_keys_are_never_skipped()
    {
        var ssh = Ssh();
        ssh.KnownHostsFile = "";

        var error = Assert.Throws<ArgumentException>(() => new SshTunnel("127.0.0.1", ssh, new SshTunnelOptions { RemotePort = 3306 }));

        Assert.Contains("KnownHostsFile", error.Message, StringComparison.Ordinal);
    }
}
