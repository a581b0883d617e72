using System.Net;
using BuzzTalk.Testing;

namespace BuzzTalk.Discovery.Tests.Probes;

/// <summary>The probe endpoints against a real MariaDB and a real redis-server.</summary>
public sealed class ProbeEndpointsTests : IAsyncLifetime
{
    private readonly MariaDbServer _mariadb = new();
    private const string RedisPassword = "probe-secret";
    private readonly RedisServer _redis = new(RedisPassword);

    /// <summary>Every character a connection string could trip on, outside a URI's escaping.</summary>
    private const string HostilePassword = "p;a,s@w:o%rd/x?#=ü";
    private readonly RedisServer _hostileRedis = new(HostilePassword);
    private readonly int _closedPort = ServerProcess.FreePort();
    private DiscoveryHost? _host;

    private HttpClient Http => _host!.Http;

    public async Task InitializeAsync()
    {
        await Task.WhenAll(_mariadb.StartAsync(), _redis.StartAsync(), _hostileRedis.StartAsync());
        _host = await DiscoveryHost.StartAsync(new Dictionary<string, string?>
        {
            ["Probes:Timeout"] = "00:00:02",
            ["Probes:MySql:app:Address"] = _mariadb.Address,
            ["Probes:MySql:app:Password"] = MariaDbServer.Password,
            ["Probes:MySql:wrong-password:Address"] = _mariadb.Address,
            ["Probes:MySql:wrong-password:Password"] = "not-the-password",
            ["Probes:MySql:nobody-home:Address"] = $"Server=127.0.0.1;Port={_closedPort};User ID=x",
            ["Probes:MySql:nobody-home:Password"] = "y",
            ["Probes:Redis:cache:Address"] = _redis.Address,
            ["Probes:Redis:cache:Password"] = RedisPassword,
            ["Probes:Redis:wrong-password:Address"] = _redis.Address,
            ["Probes:Redis:wrong-password:Password"] = "not-the-password",
            ["Probes:Redis:nobody-home:Address"] = $"127.0.0.1:{_closedPort}",
            // What the app model's WithReference gives: ConnectionStrings:{name}, URI or the client's own form.
            ["ConnectionStrings:db-uri"] = $"mysql://{MariaDbServer.User}:{MariaDbServer.Password}@127.0.0.1:{_mariadb.Port}/{MariaDbServer.Database}",
            ["ConnectionStrings:db-native"] = $"{_mariadb.Address};Password={MariaDbServer.Password}",
            ["ConnectionStrings:db-wrong"] = $"mysql://{MariaDbServer.User}:nope@127.0.0.1:{_mariadb.Port}/{MariaDbServer.Database}",
            ["ConnectionStrings:cache-uri"] = $"redis://:{Uri.EscapeDataString(HostilePassword)}@127.0.0.1:{_hostileRedis.Port}/0",
            ["ConnectionStrings:cache-native"] = $"{_redis.Address},password={RedisPassword}",
            ["ConnectionStrings:cache-wrong"] = $"redis://:nope@127.0.0.1:{_redis.Port}",
            ["ConnectionStrings:broken"] = "mysql://prober:secret-in-a-bad-uri@[not-a-host",
            // A Probes entry is taken before a connection string of the same name.
            ["ConnectionStrings:app"] = $"mysql://x:y@127.0.0.1:{_closedPort}/z",
        });
    }

    public async Task DisposeAsync()
    {
        if (_host is not null)
        {
            await _host.DisposeAsync();
        }

        await _mariadb.DisposeAsync();
        await _redis.DisposeAsync();
        await _hostileRedis.DisposeAsync();
    }

    [Theory]
    [InlineData("/probe/mysql/app")]
    [InlineData("/probe/redis/cache")]
    // A referenced connection string, probed by its name: URI or the client's own form.
    [InlineData("/probe/mysql/db-uri")]
    [InlineData("/probe/mysql/db-native")]
    [InlineData("/probe/redis/cache-uri")]
    [InlineData("/probe/redis/cache-native")]
    public async Task A_reachable_server_with_good_credentials_is_200(string path)
    {
        using var response = await Http.GetAsync(path);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("ok", (await response.Content.ReadAsStringAsync()).Trim());
    }

    [Theory]
    [InlineData("/probe/mysql/wrong-password", "Access denied")]
    [InlineData("/probe/redis/wrong-password", "")]
    [InlineData("/probe/mysql/db-wrong", "Access denied")]
    [InlineData("/probe/redis/cache-wrong", "")]
    [InlineData("/probe/mysql/broken", "not a valid URI")]
    public async Task Wrong_credentials_are_503_with_a_reason_that_never_shows_the_password(string path, string reasonContains)
    {
        using var response = await Http.GetAsync(path);
        var body = await response.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.Contains(reasonContains, body, StringComparison.Ordinal);
        Assert.False(string.IsNullOrWhiteSpace(body));
        Assert.DoesNotContain("not-the-password", body, StringComparison.Ordinal);
        Assert.DoesNotContain("nope", body, StringComparison.Ordinal);
        Assert.DoesNotContain("secret-in-a-bad-uri", body, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("/probe/mysql/nobody-home")]
    [InlineData("/probe/redis/nobody-home")]
    public async Task A_port_nobody_listens_on_is_503(string path)
    {
        using var response = await Http.GetAsync(path);

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
    }

    [Fact]
    public async Task Stopped_servers_turn_their_probes_from_200_to_503()
    {
        Assert.Equal(HttpStatusCode.OK, (await Http.GetAsync("/probe/mysql/app")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await Http.GetAsync("/probe/redis/cache")).StatusCode);

        await _mariadb.StopAsync();
        await _redis.StopAsync();

        Assert.Equal(HttpStatusCode.ServiceUnavailable, (await Http.GetAsync("/probe/mysql/app")).StatusCode);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, (await Http.GetAsync("/probe/redis/cache")).StatusCode);
    }

    [Theory]
    [InlineData("mysql", "timed out|Connect Timeout expired")] // whichever deadline fires first: ours or the driver's connect timeout
    [InlineData("redis", "timed out|not possible to connect")] // whichever deadline fires first: ours or the multiplexer's
    public async Task A_server_that_accepts_but_never_answers_is_503_within_the_timeout(string kind, string reason)
    {
        using var silent = new System.Net.Sockets.TcpListener(IPAddress.Loopback, 0);
        silent.Start();
        var port = ((IPEndPoint)silent.LocalEndpoint).Port;
        await using var host = await DiscoveryHost.StartAsync(new Dictionary<string, string?>
        {
            ["Probes:Timeout"] = "00:00:01",
            ["Probes:MySql:silent:Address"] = $"Server=127.0.0.1;Port={port};User ID=x",
            ["Probes:Redis:silent:Address"] = $"127.0.0.1:{port}",
        });

        using var response = await host.Http.GetAsync($"/probe/{kind}/silent");

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.Matches(reason, await response.Content.ReadAsStringAsync());
    }

    [Theory]
    [InlineData("/probe/mysql/unknown")]
    [InlineData("/probe/redis/unknown")]
    public async Task An_unknown_name_is_404(string path)
    {
        using var response = await Http.GetAsync(path);

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
    }

    [Fact]
    public async Task Credentials_in_the_query_string_are_ignored()
    {
        // The seed took host, user and password from the URL; nothing here reads them.
        using var response = await Http.GetAsync("/probe/mysql/unknown?host=127.0.0.1&user=prober&password=probe-pass");

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
    }
}
