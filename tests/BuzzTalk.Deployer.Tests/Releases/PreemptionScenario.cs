using System.Diagnostics;
using System.Globalization;
using System.Net.WebSockets;
using System.Runtime.Versioning;
using BuzzTalk.Deployer.Tests.Rollout;
using BuzzTalk.Testing;

namespace BuzzTalk.Deployer.Tests.Releases;

/// <summary>
/// A preemption notice on the local fleet: two instances running the real backend (daphne,
/// MariaDB and Redis on the swarm's gateway) behind a real balancer (HAProxy) that checks them
/// with the published health check. One instance came from the Deployer, the other booted into
/// the desired release by itself. At the notice the fake metadata server answers
/// <c>preempted=TRUE</c> and the published shutdown script runs on the leaving instance, while
/// websocket clients hold connections through the balancer and a client keeps asking it for a
/// room's messages. The test and the <c>preemption</c> benchmark run this one scenario.
/// </summary>
[SupportedOSPlatform("linux")]
public sealed class PreemptionScenario : IAsyncDisposable
{
    private const string RedisPassword = "Redis-7c1e44";

    /// <summary>A path the backend answers from the database: what the HTTP client asks for.</summary>
    public const string ProbePath = "/backend/api/rooms/lobby/messages";

    private static readonly string BackendDirectory = Path.Combine(RepositoryRoot.Path, "samples", "chat-backend");

    private readonly List<IAsyncDisposable> _owned = [];

    private PreemptionScenario()
    {
    }

    public DeployerWorld World { get; private set; } = null!;

    public FakeInstanceCloud Cloud { get; private set; } = null!;

    public HaproxyBalancer Balancer { get; private set; } = null!;

    /// <summary>The instance that gets the notice (deployed by the Deployer).</summary>
    public InstanceBoot Leaving { get; private set; } = null!;

    /// <summary>The instance that stays (booted into the desired release by itself).</summary>
    public InstanceBoot Staying { get; private set; } = null!;

    public static async Task<PreemptionScenario> StartAsync(string backendImage)
    {
        var scenario = new PreemptionScenario();
        try
        {
            await scenario.SetUpAsync(backendImage);
            return scenario;
        }
        catch
        {
            await scenario.DisposeAsync();
            throw;
        }
    }

    /// <summary>
    /// Connects the clients through the balancer, gives the leaving instance its notice, and
    /// follows every client until it is connected again (or the deadline passes).
    /// </summary>
    public async Task<PreemptionResult> RunAsync(int clients, TimeSpan deadline)
    {
        var sockets = new List<ClientWebSocket>();
        for (var i = 0; i < clients; i++)
        {
            sockets.Add(await ConnectAsync(i, TimeSpan.FromSeconds(20)));
        }

        var probe = BalancerProbe.Start(new Uri(Balancer.Address, ProbePath), TimeSpan.FromMilliseconds(100));
        using var stop = new CancellationTokenSource(deadline);
        var notice = Stopwatch.GetTimestamp();
        var followed = sockets.Select((socket, i) => FollowAsync(socket, i, notice, stop.Token)).ToList();

        Cloud.InstanceValues["instance/preempted"] = "TRUE";
        var (exit, output) = await Leaving.LeaveAsync();
        var leftAfter = Stopwatch.GetElapsedTime(notice);

        // The leaving instance's backends are gone now: a client on it would have been closed.
        // Clients that were never closed sit on the staying instance; stop following them.
        var closedSoFar = followed.Where(f => f.IsCompleted).ToList();
        var pending = followed.Except(closedSoFar).ToList();
        using (var settle = new CancellationTokenSource(TimeSpan.FromSeconds(5)))
        {
            try
            {
                await Task.WhenAll(pending).WaitAsync(settle.Token);
            }
            catch (OperationCanceledException)
            {
                // Still open: on the staying instance.
            }
        }

        await stop.CancelAsync();
        var outcomes = new List<ClientOutcome>();
        foreach (var task in followed)
        {
            outcomes.Add(await task);
        }

        // A reconnected client must be on the staying instance: the leaving one has no backend.
        var stillOpen = 0;
        foreach (var outcome in outcomes.Where(o => o.Reconnected is not null))
        {
            stillOpen += outcome.Replacement!.State == WebSocketState.Open ? 1 : 0;
        }

        var result = new PreemptionResult(exit, output, leftAfter, [.. outcomes.Select(o => o with { Replacement = null })], stillOpen, await probe.StopAsync());
        foreach (var outcome in outcomes)
        {
            outcome.Replacement?.Dispose();
        }

        foreach (var socket in sockets)
        {
            socket.Dispose();
        }

        return result;
    }

    /// <summary>The leaving instance comes back as a new one (a new disk that boots into the desired release) and into rotation.</summary>
    public async Task ReplaceLeavingAsync()
    {
        Cloud.InstanceValues["instance/preempted"] = "FALSE";
        await Leaving.WipeAsync();
        var (exit, output, _) = await Leaving.RunAsync();
        if (exit != 0)
        {
            throw new InvalidOperationException($"the replacement did not boot ({exit}):\n{output}");
        }

        await Balancer.WaitForAsync("leaving", inRotation: true, TimeSpan.FromMinutes(2));
    }

    public async ValueTask DisposeAsync()
    {
        for (var i = _owned.Count - 1; i >= 0; i--)
        {
            await _owned[i].DisposeAsync();
        }
    }

    private T Own<T>(T resource)
        where T : IAsyncDisposable
    {
        _owned.Add(resource);
        return resource;
    }

    private IAsyncDisposable OwnAny(IAsyncDisposable resource) => Own(resource);

    private async Task SetUpAsync(string backendImage)
    {
        Cloud = Own(await FakeInstanceCloud.StartAsync());
        World = await StartRealBackendAsync(OwnAny, backendImage, Cloud, backendReplicas: 1);
        Leaving = World.Boot(Cloud, "local", World.FrontendPort);
        Staying = World.Boot(Cloud, "b", ServerProcess.FreePort());
        var boot = await Staying.RunAsync();
        if (boot.ExitCode != 0)
        {
            throw new InvalidOperationException($"the second instance did not boot ({boot.ExitCode}):\n{boot.Output}");
        }

        var policy = PublishedFleetPolicy.Read(World.BundleDirectory);
        Balancer = Own(await HaproxyBalancer.StartAsync([("leaving", Leaving.FrontendPort), ("staying", Staying.FrontendPort)],
            policy.HealthPath, policy.CheckInterval, policy.UnhealthyThreshold, policy.HealthyThreshold));
        await Balancer.WaitForAsync("leaving", inRotation: true, TimeSpan.FromMinutes(1));
        await Balancer.WaitForAsync("staying", inRotation: true, TimeSpan.FromMinutes(1));
    }

    /// <summary>
    /// The local fleet on the real backend: Redis and MariaDB (migrated) on the swarm's gateway,
    /// a world whose stack runs <paramref name="backendImage"/>, its env rendered, and the first
    /// deploy done through the Deployer. What it starts is handed to <paramref name="own"/>.
    /// </summary>
    public static async Task<DeployerWorld> StartRealBackendAsync(Func<IAsyncDisposable, IAsyncDisposable> own, string backendImage,
        FakeInstanceCloud? cloud, int backendReplicas)
    {
        var gateway = await DockerCli.SwarmGatewayAsync();
        var redis = new RedisServer(RedisPassword, gateway);
        own(redis);
        await redis.StartAsync();
        var database = new MariaDbServer(gateway);
        own(database);
        await database.StartAsync();
        await MigrateAsync(database);

        var world = await DeployerWorld.StartAsync(portPerInstance: true, backendImage: backendImage, backendReplicas: backendReplicas);
        own(world);
        await File.WriteAllTextAsync(Path.Combine(world.Root, "test.env"), string.Create(CultureInfo.InvariantCulture, $"""
            MYSQL_DB_NAME={MariaDbServer.Database}
            MYSQL_DB_USER={MariaDbServer.User}
            MYSQL_DB_PASSWORD={MariaDbServer.Password}
            MYSQL_DB_HOST={gateway}
            MYSQL_DB_PORT={database.Port}
            REDIS_URL=redis://:{RedisPassword}@{gateway}:{redis.Port}/0
            SCALER_WEBHOOK_PASSWORD=Hook-9d03aa
            """));
        await world.RenderEnvAsync();

        var settings = world.Settings(cloud: cloud, healthTimeout: TimeSpan.FromMinutes(2));
        var (exit, output, errors) = await DeployerWorld.CliAsync("deploy", "--config", settings, "--bundle", world.BundleDirectory,
            "--env-dir", world.EnvDirectory, "--output", "json");
        if (exit != 0)
        {
            throw new InvalidOperationException($"the first deploy failed ({exit}):\n{errors}{output}");
        }

        return world;
    }

    /// <summary>The chat's schema, as the stack's migrate step creates it.</summary>
    private static async Task MigrateAsync(MariaDbServer database)
    {
        var (exit, output) = await ToolRun.RunAsync("/usr/bin/python3", BackendDirectory, new Dictionary<string, string>
        {
            ["MYSQL_DB_NAME"] = MariaDbServer.Database,
            ["MYSQL_DB_USER"] = MariaDbServer.User,
            ["MYSQL_DB_PASSWORD"] = MariaDbServer.Password,
            ["MYSQL_DB_HOST"] = "127.0.0.1",
            ["MYSQL_DB_PORT"] = database.Port.ToString(CultureInfo.InvariantCulture),
            ["PYTHONDONTWRITEBYTECODE"] = "1",
        }, "manage.py", "migrate", "--noinput");
        if (exit != 0)
        {
            throw new InvalidOperationException($"migrate failed ({exit}):\n{output}");
        }
    }

    private async Task<ClientWebSocket> ConnectAsync(int client, TimeSpan timeout)
    {
        var socket = new ClientWebSocket();
        try
        {
            using var connect = new CancellationTokenSource(timeout);
            await socket.ConnectAsync(new Uri($"ws://127.0.0.1:{Balancer.Port.ToString(CultureInfo.InvariantCulture)}/ws/chat/room{client % 4}/"), connect.Token);
            return socket;
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    /// <summary>Waits for the socket's close; then reconnects through the balancer, as the chat page does, until it gets in.</summary>
    private async Task<ClientOutcome> FollowAsync(ClientWebSocket socket, int client, long notice, CancellationToken stop)
    {
        var buffer = new byte[4096];
        WebSocketCloseStatus? status;
        try
        {
            WebSocketReceiveResult received;
            do
            {
                received = await socket.ReceiveAsync(buffer, stop);
            }
            while (received.MessageType != WebSocketMessageType.Close);

            status = received.CloseStatus;
        }
        catch (OperationCanceledException)
        {
            return new ClientOutcome(client, null, null, null, null, 0);
        }
        catch (WebSocketException)
        {
            status = WebSocketCloseStatus.Empty; // dropped without a close frame (1006)
        }

        var closed = Stopwatch.GetElapsedTime(notice);
        var refused = 0;
        while (!stop.IsCancellationRequested)
        {
            try
            {
                var replacement = await ConnectAsync(client, TimeSpan.FromSeconds(5));
                return new ClientOutcome(client, status, closed, Stopwatch.GetElapsedTime(notice), replacement, refused);
            }
            catch (Exception ex) when (ex is WebSocketException or OperationCanceledException)
            {
                // The leaving instance refuses new websockets (503); the next try goes elsewhere.
                refused++;
                try
                {
                    await Task.Delay(TimeSpan.FromMilliseconds(100), stop);
                }
                catch (OperationCanceledException)
                {
                    break;
                }
            }
        }

        return new ClientOutcome(client, status, closed, null, null, refused);
    }
}

/// <param name="Client">The client's number.</param>
/// <param name="CloseStatus">How its socket was closed; null when it never was (it sat on the staying instance).</param>
/// <param name="Closed">Notice to the close.</param>
/// <param name="Reconnected">Notice to connected again through the balancer; null when it never was.</param>
/// <param name="Replacement">The new socket (open while the scenario checks it).</param>
/// <param name="Refused">Reconnect attempts refused before one got in.</param>
public sealed record ClientOutcome(int Client, WebSocketCloseStatus? CloseStatus, TimeSpan? Closed, TimeSpan? Reconnected, ClientWebSocket? Replacement, int Refused);

/// <param name="ShutdownExit">The shutdown script's exit code.</param>
/// <param name="ShutdownOutput">Its output.</param>
/// <param name="LeftAfter">Notice to the end of the shutdown script (the backends stopped).</param>
/// <param name="Clients">Every client's outcome.</param>
/// <param name="ReconnectedStillOpen">Reconnected clients whose new socket was still open after the leaving instance's backends stopped.</param>
/// <param name="Http">The HTTP client's requests through the balancer, from the notice on.</param>
public sealed record PreemptionResult(int ShutdownExit, string ShutdownOutput, TimeSpan LeftAfter, IReadOnlyList<ClientOutcome> Clients,
    int ReconnectedStillOpen, ProbeResult Http);
