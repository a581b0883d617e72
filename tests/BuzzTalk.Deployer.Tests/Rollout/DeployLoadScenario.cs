using System.Diagnostics;
using System.Runtime.Versioning;
using BuzzTalk.Deployer.Tests.Releases;
using BuzzTalk.Publishing.Stack;
using BuzzTalk.Testing;

namespace BuzzTalk.Deployer.Tests.Rollout;

/// <summary>
/// Deploys through the Deployer under chat load on the local fleet: one instance on the real
/// backend (2 replicas, daphne, MariaDB and Redis on the swarm's gateway) behind its edge, while
/// <see cref="ChatLoad"/> holds websocket clients that reconnect and catch up as the chat page
/// does, posts messages and asks for the page and the API. Each deploy kind runs under its own
/// load and reports it. The test and the <c>deploy-load</c> benchmark run this one scenario.
/// </summary>
[SupportedOSPlatform("linux")]
public sealed partial class DeployLoadScenario : IAsyncDisposable
{
    /// <summary>Backend replicas per instance, as a deploy replaces them one at a time.</summary>
    public const int BackendReplicas = 2;

    /// <summary>The SPA's second image: the test nginx under another tag in the same repository.</summary>
    public const string SpaTag = "spa2";

    private readonly List<IAsyncDisposable> _owned = [];
    private string _settings = "";
    private int _edgeChanges;

    private DeployLoadScenario()
    {
    }

    public DeployerWorld World { get; private set; } = null!;

    public static async Task<DeployLoadScenario> StartAsync(string backendImage)
    {
        var scenario = new DeployLoadScenario();
        try
        {
            scenario.World = await PreemptionScenario.StartRealBackendAsync(r => { scenario._owned.Add(r); return r; }, backendImage, null, BackendReplicas);
            scenario._settings = scenario.World.Settings(healthTimeout: TimeSpan.FromMinutes(3));
            await ToolRun.RunCheckedAsync("docker", Path.GetTempPath(), "tag", TestStackFile.NginxImage, $"{ImageRepository(TestStackFile.NginxImage)}:{SpaTag}");
            return scenario;
        }
        catch
        {
            await scenario.DisposeAsync();
            throw;
        }
    }

    /// <summary>The edge's config changes (what <c>/healthz</c> answers): a whole-stack deploy reloads the edge.</summary>
    public async Task<DeployUnderLoad> EdgeConfigChangeAsync(ChatLoadShape shape)
    {
        var change = ++_edgeChanges;
        return await MeasureAsync(DeployKind.EdgeConfig, shape, null, async () =>
        {
            await World.RewriteBundleFileAsync(StackFileGenerator.NginxPath,
                config => HealthAnswer().Replace(config, $"return 200 \"ok edge-{change}\\n\";", 1));
            return await DeployerWorld.CliAsync("deploy", "--config", _settings, "--bundle", World.BundleDirectory, "--output", "json");
        });
    }

    /// <summary>The SPA to another image tag (<see cref="SpaTag"/>).</summary>
    public Task<DeployUnderLoad> FrontendDeployAsync(ChatLoadShape shape) => MeasureAsync(DeployKind.Frontend, shape, null,
        () => DeployerWorld.CliAsync("deploy", "--config", _settings, "--bundle", World.BundleDirectory, "--services", "frontend", "--image-tag", SpaTag, "--output", "json"));

    /// <summary>The backend to another image tag of its repository.</summary>
    public Task<DeployUnderLoad> BackendDeployAsync(ChatLoadShape shape, string tag) => MeasureAsync(DeployKind.Backend, shape, ":" + tag,
        () => DeployerWorld.CliAsync("deploy", "--config", _settings, "--bundle", World.BundleDirectory, "--services", "backend", "--image-tag", tag, "--output", "json"));

    /// <summary>Back to the previous recorded release; <paramref name="backendImage"/> is the backend image it ran.</summary>
    public Task<DeployUnderLoad> RollbackAsync(ChatLoadShape shape, string backendImage) => MeasureAsync(DeployKind.Rollback, shape, backendImage,
        () => DeployerWorld.CliAsync("rollback", "--config", _settings, "--output", "json"));

    public async ValueTask DisposeAsync()
    {
        for (var i = _owned.Count - 1; i >= 0; i--)
        {
            await _owned[i].DisposeAsync();
        }
    }

    /// <summary>
    /// Starts the load and lets every client post once, runs the deploy, waits for the backend to
    /// settle (exactly its replicas running, of <paramref name="backendImage"/> when given: a
    /// replaced replica drains after the deploy returns), every client back online and posting
    /// once more, then stops the load.
    /// </summary>
    private async Task<DeployUnderLoad> MeasureAsync(DeployKind kind, ChatLoadShape shape, string? backendImage, Func<Task<(int Exit, string Out, string Err)>> deploy)
    {
        var load = await ChatLoad.StartAsync(new Uri($"http://127.0.0.1:{World.FrontendPort}/"), shape.Clients, shape.Rooms, shape.PostEvery, shape.ProbeEvery,
            CancellationToken.None);
        var steady = await load.WaitEveryClientPostedAsync(TimeSpan.FromSeconds(30));
        var started = Stopwatch.GetTimestamp();
        var (exit, output, errors) = await deploy();
        var took = Stopwatch.GetElapsedTime(started);
        var settled = steady && await SettledAsync(backendImage, TimeSpan.FromMinutes(1)) && await load.WaitAllOnlineAsync(TimeSpan.FromSeconds(30))
            && await load.WaitEveryClientPostedAsync(TimeSpan.FromSeconds(30));
        var result = await load.StopAsync(TimeSpan.FromSeconds(10));
        if (result.Disconnects.Any(d => d.Code != 1001))
        {
            // What the replicas said while they closed their sockets, for the assertion's message.
            output += "\nbackend log:\n" + await World.ServiceLogAsync("local", "backend");
        }

        return new DeployUnderLoad(kind, exit, errors + output, took, settled, result);
    }

    private async Task<bool> SettledAsync(string? backendImage, TimeSpan timeout)
    {
        var deadline = Stopwatch.GetTimestamp() + (long)(timeout.TotalSeconds * Stopwatch.Frequency);
        while (Stopwatch.GetTimestamp() < deadline)
        {
            var images = await World.RunningContainersAsync("local", "backend", "{{.Image}}");
            if (images.Count == BackendReplicas && (backendImage is null || images.All(i => i.Split('@')[0].EndsWith(backendImage, StringComparison.Ordinal))))
            {
                return true;
            }

            await Task.Delay(TimeSpan.FromMilliseconds(250));
        }

        return false;
    }

    private static string ImageRepository(string image) => image[..image.LastIndexOf(':')];

    [System.Text.RegularExpressions.GeneratedRegex("return 200 \"ok[^\"]*\";")]
    private static partial System.Text.RegularExpressions.Regex HealthAnswer();
}

public enum DeployKind
{
    EdgeConfig,
    Frontend,
    Backend,
    Rollback,
}

/// <param name="Clients">Websocket clients.</param>
/// <param name="Rooms">Rooms they are spread over.</param>
/// <param name="PostEvery">How often each client posts.</param>
/// <param name="ProbeEvery">How often each probe asks for the page and the API.</param>
public sealed record ChatLoadShape(int Clients, int Rooms, TimeSpan PostEvery, TimeSpan ProbeEvery);

/// <param name="Kind">What was deployed.</param>
/// <param name="Exit">The Deployer's exit code.</param>
/// <param name="Output">Its output.</param>
/// <param name="Took">How long the deploy command ran.</param>
/// <param name="Settled">Every client posted before the deploy, and afterwards the backend ran its replicas of the expected image and every client was back online and posted again.</param>
/// <param name="Load">What the chat users saw.</param>
public sealed record DeployUnderLoad(DeployKind Kind, int Exit, string Output, TimeSpan Took, bool Settled, ChatLoadResult Load);
