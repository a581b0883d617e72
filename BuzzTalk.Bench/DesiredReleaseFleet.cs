using System.Diagnostics;
using System.Globalization;
using System.Runtime.Versioning;
using BuzzTalk.Deployer.Tests.Releases;
using BuzzTalk.Deployer.Tests.Rollout;
using BuzzTalk.Testing;

namespace BuzzTalk.Bench;

/// <summary>
/// The local fleet with a desired release, as the self-healing tests set it up (<see cref="DeployerWorld"/>):
/// the Deployer (real SSH to the local swarm) deploys the published bundle (test app as backend;
/// backend and frontend, each instance's nginx on its own port) to instance "local", then backend
/// v2, recording each as the desired release in the fake bucket and Secret Manager
/// (<see cref="FakeInstanceCloud"/>). Further instances boot into it through the published
/// instance script, as the group's would.
/// </summary>
[SupportedOSPlatform("linux")]
public sealed class DesiredReleaseFleet : IAsyncDisposable
{
    /// <summary>The backend tag of the desired release.</summary>
    public const string DesiredTag = "v2";

    private readonly DeployerWorld _world;
    private readonly FakeInstanceCloud _cloud;

    private DesiredReleaseFleet(DeployerWorld world, FakeInstanceCloud cloud)
    {
        _world = world;
        _cloud = cloud;
        Deployed = world.Boot(cloud, "local", world.FrontendPort);
    }

    /// <summary>The published bundle's directory.</summary>
    public string Bundle => _world.BundleDirectory;

    /// <summary>The instance the Deployer deployed (its stack runs).</summary>
    public InstanceBoot Deployed { get; }

    public static async Task<DesiredReleaseFleet> StartAsync()
    {
        var world = await DeployerWorld.StartAsync(portPerInstance: true);
        FakeInstanceCloud? cloud = null;
        try
        {
            cloud = await FakeInstanceCloud.StartAsync();
            await world.RenderEnvAsync();
            var settings = world.Settings(cloud: cloud);
            await DeployAsync("deploy", "--config", settings, "--bundle", world.BundleDirectory, "--env-dir", world.EnvDirectory);
            await DeployAsync("deploy", "--config", settings, "--bundle", world.BundleDirectory, "--services", "backend", "--image-tag", DesiredTag);
            return new DesiredReleaseFleet(world, cloud);
        }
        catch
        {
            if (cloud is not null)
            {
                await cloud.DisposeAsync();
            }

            await world.DisposeAsync();
            throw;
        }
    }

    /// <summary>A new instance of the group: a disk never used, a stack the swarm never saw, its own nginx port.</summary>
    public InstanceBoot Add(string instance) => _world.Boot(_cloud, instance, ServerProcess.FreePort());

    /// <summary>Times one boot to its own health check, then checks through nginx that it serves the desired release.</summary>
    public static async Task<double> TimeBootAsync(InstanceBoot instance, HttpClient http, string label, TextWriter output)
    {
        var started = Stopwatch.GetTimestamp();
        var (exit, log, _) = await instance.RunAsync();
        var elapsed = Stopwatch.GetElapsedTime(started).TotalSeconds;
        var version = exit == 0 ? (await instance.GetAsync(http, "/backend/version")).Trim() : "";
        if (exit != 0 || version != DesiredTag)
        {
            throw new InvalidOperationException($"{label} exited {exit} on '{version}':\n{log}");
        }

        await output.WriteLineAsync(string.Create(CultureInfo.InvariantCulture, $"{label}: healthy on the desired release (backend {version}) in {elapsed:F1} s"));
        return elapsed;
    }

    /// <summary>A markdown table row: label, runs, min, median, max.</summary>
    public static string Row(string label, IEnumerable<double> values)
    {
        var sorted = values.Order().ToList();
        return string.Create(CultureInfo.InvariantCulture, $"| {label} | {sorted.Count} | {sorted[0]:F1} | {sorted[sorted.Count / 2]:F1} | {sorted[^1]:F1} |");
    }

    public async ValueTask DisposeAsync()
    {
        await _cloud.DisposeAsync();
        await _world.DisposeAsync();
    }

    private static async Task DeployAsync(params string[] args)
    {
        var (exit, output, errors) = await DeployerWorld.CliAsync(args);
        if (exit != 0)
        {
            throw new InvalidOperationException($"{string.Join(' ', args.Take(1))} exited {exit}:\n{errors}{output}");
        }
    }
}
