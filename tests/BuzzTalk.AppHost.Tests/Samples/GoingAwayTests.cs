using System.Globalization;
using System.Net.WebSockets;
using BuzzTalk.Testing;

namespace BuzzTalk.AppHost.Tests.Samples;

/// <summary>
/// The sample backend under daphne, as a replica being replaced (SIGTERM) or an instance leaving
/// (SIGUSR1 at the notice, SIGTERM once out of rotation): its websockets are closed with 1001.
/// </summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class GoingAwayTests
{
    private static readonly string BackendDirectory = Path.Combine(RepositoryRoot.Path, "samples", "chat-backend");

    [Fact]
    public async Task On_sigterm_every_open_websocket_is_closed_with_1001_going_away()
    {
        await using var redis = new RedisServer();
        await redis.StartAsync();
        await using var daphne = await StartDaphneAsync(redis);
        var sockets = await ConnectAsync(daphne.Port, 3);

        await ToolRun.RunCheckedAsync("kill", BackendDirectory, "-TERM", daphne.ProcessId.ToString(CultureInfo.InvariantCulture));

        await AssertClosedGoingAwayAsync(sockets);
        Assert.Equal(0, await daphne.WaitForExitAsync(TimeSpan.FromSeconds(30)));
    }

    [Fact]
    public async Task With_a_drain_time_sigterm_closes_the_websockets_refuses_new_ones_and_serves_http_until_it_stops()
    {
        await using var redis = new RedisServer();
        await redis.StartAsync();
        await using var daphne = await StartDaphneAsync(redis, drainSeconds: 5);
        var sockets = await ConnectAsync(daphne.Port, 3);

        await ToolRun.RunCheckedAsync("kill", BackendDirectory, "-TERM", daphne.ProcessId.ToString(CultureInfo.InvariantCulture));
        var signalled = System.Diagnostics.Stopwatch.GetTimestamp();

        await AssertClosedGoingAwayAsync(sockets);
        // Requests that nginx still sends here (its DNS answer is valid a few seconds more) are served.
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
        using (var health = await http.GetAsync(new Uri($"http://127.0.0.1:{daphne.Port}/health")))
        {
            Assert.Equal(System.Net.HttpStatusCode.OK, health.StatusCode);
        }

        // A reconnecting client is refused, so its retry lands on a replica that stays.
        await Assert.ThrowsAsync<WebSocketException>(() => ConnectAsync(daphne.Port, 1));
        Assert.True(System.Diagnostics.Stopwatch.GetElapsedTime(signalled) < TimeSpan.FromSeconds(5), "checked after the drain time");
        Assert.Equal(0, await daphne.WaitForExitAsync(TimeSpan.FromSeconds(30)));
        Assert.True(System.Diagnostics.Stopwatch.GetElapsedTime(signalled) >= TimeSpan.FromSeconds(5), "stopped before the drain time");
    }

    [Fact]
    public async Task A_websocket_accepted_as_sigterm_arrived_is_closed_with_1001_at_once_not_when_the_replica_stops()
    {
        await using var redis = new RedisServer();
        await redis.StartAsync();
        await using var daphne = await StartDaphneAsync(redis, drainSeconds: 30);
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
        await HealthyAsync(http, daphne.Port);

        // Redis holds writes: the next websocket passes the drain check, then waits in its group's ZADD.
        await RedisCliAsync(redis, "CLIENT", "PAUSE", "120000", "WRITE");
        using var late = new ClientWebSocket();
        using var connect = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var connecting = late.ConnectAsync(new Uri($"ws://127.0.0.1:{daphne.Port}/ws/chat/room0/"), connect.Token);
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (!(await RedisCliAsync(redis, "CLIENT", "LIST")).Contains("cmd=zadd", StringComparison.Ordinal))
        {
            Assert.True(DateTime.UtcNow < deadline, "the websocket never reached its group join");
            await Task.Delay(TimeSpan.FromMilliseconds(100));
        }

        await ToolRun.RunCheckedAsync("kill", BackendDirectory, "-TERM", daphne.ProcessId.ToString(CultureInfo.InvariantCulture));
        await WaitUntilRefusedAsync(daphne.Port, TimeSpan.FromSeconds(20)); // draining now
        await RedisCliAsync(redis, "CLIENT", "UNPAUSE");
        await connecting;

        // Closed while the replica still drains (30 s), not left open until it stops.
        await AssertClosedGoingAwayAsync([late]);
        Assert.False(daphne.HasExited);
        await HealthyAsync(http, daphne.Port);
    }

    [Fact]
    public async Task On_sigusr1_every_open_websocket_is_closed_with_1001_and_the_replica_keeps_serving()
    {
        await using var redis = new RedisServer();
        await redis.StartAsync();
        await using var daphne = await StartDaphneAsync(redis);
        var sockets = await ConnectAsync(daphne.Port, 3);

        // What an instance's shutdown script sends at a preemption notice.
        await ToolRun.RunCheckedAsync("kill", BackendDirectory, "-USR1", daphne.ProcessId.ToString(CultureInfo.InvariantCulture));

        await AssertClosedGoingAwayAsync(sockets);
        Assert.False(daphne.HasExited);
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
        using var health = await http.GetAsync(new Uri($"http://127.0.0.1:{daphne.Port}/health"));
        Assert.Equal(System.Net.HttpStatusCode.OK, health.StatusCode);
        // Only the sockets open at the signal went; a new one stays until daphne stops.
        var late = Assert.Single(await ConnectAsync(daphne.Port, 1));
        await ToolRun.RunCheckedAsync("kill", BackendDirectory, "-TERM", daphne.ProcessId.ToString(CultureInfo.InvariantCulture));
        await AssertClosedGoingAwayAsync([late]);
    }

    [Fact]
    public async Task Once_a_newer_release_answers_its_health_check_old_replicas_refuse_new_websockets_and_keep_their_open_ones()
    {
        await using var redis = new RedisServer();
        await redis.StartAsync();
        const string scope = "node1-buzztalk_backend";
        await using var old = await StartDaphneAsync(redis, scope: scope, release: "r1");
        await using var other = await StartDaphneAsync(redis, scope: "node2-buzztalk_backend", release: "r1");
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
        await HealthyAsync(http, old.Port);
        var open = Assert.Single(await ConnectAsync(old.Port, 1));

        // Started, not yet ready: the old replica still takes websockets.
        await using var successor = await StartDaphneAsync(redis, scope: scope, release: "r2");
        Assert.Single(await ConnectAsync(old.Port, 1)).Dispose();

        await HealthyAsync(http, successor.Port);
        await WaitUntilRefusedAsync(old.Port, TimeSpan.FromSeconds(20));
        Assert.Single(await ConnectAsync(successor.Port, 1)).Dispose();
        // Another instance's replicas are another scope.
        Assert.Single(await ConnectAsync(other.Port, 1)).Dispose();
        // The open socket stays until its replica stops: one disconnect per deploy, not two.
        Assert.Equal(WebSocketState.Open, open.State);
        await open.SendAsync("not json"u8.ToArray(), WebSocketMessageType.Text, true, CancellationToken.None);
        using (var receive = new CancellationTokenSource(TimeSpan.FromSeconds(10)))
        {
            // The replica answers on it (a client error, which keeps the socket open).
            var buffer = new byte[4096];
            var answer = await open.ReceiveAsync(buffer, receive.Token);
            Assert.Equal(WebSocketMessageType.Text, answer.MessageType);
            Assert.Contains("malformed JSON", System.Text.Encoding.UTF8.GetString(buffer, 0, answer.Count), StringComparison.Ordinal);
        }

        // A successor that dies is no longer alive after a while: the old replica takes websockets again.
        await ToolRun.RunCheckedAsync("kill", BackendDirectory, "-KILL", successor.ProcessId.ToString(CultureInfo.InvariantCulture));
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(40);
        while (true)
        {
            try
            {
                Assert.Single(await ConnectAsync(old.Port, 1)).Dispose();
                break;
            }
            catch (WebSocketException) when (DateTime.UtcNow < deadline)
            {
                await Task.Delay(TimeSpan.FromMilliseconds(500));
            }
        }

        open.Dispose();
    }

    private static async Task<string> RedisCliAsync(RedisServer redis, params string[] command) =>
        await ToolRun.RunCheckedAsync("redis-cli", BackendDirectory, ["-p", redis.Port.ToString(CultureInfo.InvariantCulture), .. command]);

    private static async Task HealthyAsync(HttpClient http, int port)
    {
        using var health = await http.GetAsync(new Uri($"http://127.0.0.1:{port}/health"));
        Assert.Equal(System.Net.HttpStatusCode.OK, health.StatusCode);
    }

    private static async Task WaitUntilRefusedAsync(int port, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            try
            {
                (await ConnectAsync(port, 1))[0].Dispose();
            }
            catch (WebSocketException)
            {
                return;
            }

            Assert.True(DateTime.UtcNow < deadline, "the old replica still takes websockets");
            await Task.Delay(TimeSpan.FromMilliseconds(200));
        }
    }

    private static async Task<ServerProcess> StartDaphneAsync(RedisServer redis, int drainSeconds = 0, string? scope = null, string? release = null)
    {
        var port = ServerProcess.FreePort();
        var environment = new Dictionary<string, string>
        {
            ["DB_ENGINE"] = "django.db.backends.sqlite3",
            ["REDIS_URL"] = $"redis://{redis.Address}/0",
            ["PYTHONDONTWRITEBYTECODE"] = "1",
            [BuzzTalk.Publishing.Stack.StackFileGenerator.BackendDrainVariable] = drainSeconds.ToString(CultureInfo.InvariantCulture),
        };
        if (scope is not null)
        {
            environment[BuzzTalk.Publishing.Stack.StackFileGenerator.BackendScopeVariable] = scope;
        }

        if (release is not null)
        {
            environment["BUZZTALK_RELEASE"] = release;
        }

        var daphne = ServerProcess.Start("/usr/bin/python3", BackendDirectory, port, environment, "-m", "daphne", "-b", "127.0.0.1", "-p", port.ToString(CultureInfo.InvariantCulture), "buzzchat.asgi:application");
        try
        {
            await daphne.WaitForPortAsync(TimeSpan.FromSeconds(60));
            return daphne;
        }
        catch
        {
            await daphne.DisposeAsync();
            throw;
        }
    }

    private static async Task<List<ClientWebSocket>> ConnectAsync(int port, int count)
    {
        var sockets = new List<ClientWebSocket>();
        for (var i = 0; i < count; i++)
        {
            var socket = new ClientWebSocket();
            using var connect = new CancellationTokenSource(TimeSpan.FromSeconds(20));
            await socket.ConnectAsync(new Uri($"ws://127.0.0.1:{port}/ws/chat/room{i % 2}/"), connect.Token);
            sockets.Add(socket);
        }

        return sockets;
    }

    private static async Task AssertClosedGoingAwayAsync(List<ClientWebSocket> sockets)
    {
        foreach (var socket in sockets)
        {
            using var receive = new CancellationTokenSource(TimeSpan.FromSeconds(20));
            var buffer = new byte[4096];
            WebSocketReceiveResult result;
            do
            {
                result = await socket.ReceiveAsync(buffer, receive.Token);
            }
            while (result.MessageType != WebSocketMessageType.Close);

            Assert.Equal(WebSocketCloseStatus.EndpointUnavailable, result.CloseStatus); // 1001, going away
            socket.Dispose();
        }
    }
}
