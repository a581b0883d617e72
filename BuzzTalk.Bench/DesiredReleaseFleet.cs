using System.Diagnostics;
using System.Globalization;
using System.Runtime.Versioning;
using BuzzTalk.Deployer.Tests.Releases;
using BuzzTalk.Testing;

namespace BuzzTalk.Bench;

/// <summary>
/// The local fleet with a desired release: the Deployer (its own process, real SSH to the local
/// swarm) deploys the published bundle (test app as backend; backend and frontend, each
/// instance's nginx on its own port) to instance "one", then backend v2, recording each as the
/// desired release in the fake bucket and Secret Manager (<see cref="FakeInstanceCloud"/>). Further
/// instances boot into it through the published instance script, as the group's would.
/// </summary>
[SupportedOSPlatform("linux")]
public sealed class DesiredReleaseFleet : IAsyncDisposable
{
#if DEBUG
    private const string Configuration = "Debug";
#else
    private const string Configuration = "Release";
#endif

    private const string Bucket = "bench-bucket";

    /// <summary>The backend tag of the desired release.</summary>
    public const string DesiredTag = "v2";

    private readonly ScratchDirectory _scratch = new();
    private readonly List<string> _stacks = [];
    private SshServer? _ssh;
    private FakeInstanceCloud? _cloud;

    private DesiredReleaseFleet()
    {
    }

    public string Name { get; } = "bf" + Guid.NewGuid().ToString("N")[..6];

    /// <summary>The published bundle's directory.</summary>
    public string Bundle => Path.Combine(_scratch.Path, "bundle");

    /// <summary>The instance the Deployer deployed (its stack runs).</summary>
    public InstanceBoot Deployed { get; private set; } = null!;

    public static async Task<DesiredReleaseFleet> StartAsync(string repositoryRoot, CancellationToken cancellationToken)
    {
        var fleet = new DesiredReleaseFleet();
        try
        {
            await fleet.DeployAsync(repositoryRoot, cancellationToken);
            return fleet;
        }
        catch
        {
            await fleet.DisposeAsync();
            throw;
        }
    }

    /// <summary>A new instance of the group: a disk never used, a stack the swarm never saw, its own nginx port.</summary>
    public InstanceBoot Add(string instance)
    {
        var stack = $"{Name}-{instance}";
        _stacks.Add(stack);
        return new InstanceBoot(_cloud!, _scratch.Path, Name, stack, Path.Combine(_scratch.Path, "hosts", instance), ServerProcess.FreePort(), Bucket);
    }

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
        foreach (var stack in _stacks)
        {
            await ToolRun.RunAsync("docker", Path.GetTempPath(), "stack", "rm", stack);
        }

        if (_cloud is not null)
        {
            await _cloud.DisposeAsync();
        }

        if (_ssh is not null)
        {
            await _ssh.DisposeAsync();
        }

        _scratch.Dispose();
    }

    private async Task DeployAsync(string repositoryRoot, CancellationToken cancellationToken)
    {
        _ssh = await SshServer.StartAsync();
        _cloud = await FakeInstanceCloud.StartAsync();
        var root = _scratch.Path;
        var knownHosts = Path.Combine(root, "known_hosts");
        await File.WriteAllTextAsync(knownHosts, _ssh.KnownHostsLine + "\n", cancellationToken);
        var deployer = Path.Combine(repositoryRoot, "BuzzTalk.Deployer", "bin", Configuration, "net10.0", "BuzzTalk.Deployer.dll");
        var appHost = Path.Combine(repositoryRoot, "BuzzTalk.AppHost", "bin", Configuration, "net10.0", "BuzzTalk.AppHost.dll");
        var frontendPort = ServerProcess.FreePort();
        await DeployerRolloutBenchmark.BundleAsync(appHost, Bundle, frontendPort, backendOnly: false, portPerInstance: true);
        await File.WriteAllTextAsync(Path.Combine(root, "bench.env"),
            "MYSQL_DB_NAME=bench\nMYSQL_DB_USER=bench\nMYSQL_DB_PASSWORD=bench-pw\nMYSQL_DB_HOST=127.0.0.1\nREDIS_URL=redis://127.0.0.1:6379/0\nSCALER_WEBHOOK_PASSWORD=bench-hook\n",
            cancellationToken);
        var rendered = Path.Combine(root, "rendered");
        await DeployerRolloutBenchmark.CliAsync(deployer, "render-env", "--env", Path.Combine(root, "bench.env"), "--out", rendered);
        var health = $"http://127.0.0.1:{frontendPort.ToString(CultureInfo.InvariantCulture)}/backend/health";
        var settings = DeployerRolloutBenchmark.Settings(root, Name, _ssh, knownHosts, ["one"], health, _stacks,
            new Dictionary<string, object>
            {
                ["Release"] = new Dictionary<string, string>
                {
                    ["Bucket"] = Bucket,
                    ["MetadataUrl"] = _cloud.MetadataUrl,
                    ["StorageUrl"] = _cloud.StorageUrl,
                    ["UploadUrl"] = _cloud.UploadUrl,
                    ["SecretManagerUrl"] = _cloud.SecretManagerUrl,
                },
            });
        await DeployerRolloutBenchmark.CliAsync(deployer, "deploy", "--config", settings, "--bundle", Bundle, "--env-dir", rendered);
        await DeployerRolloutBenchmark.CliAsync(deployer, "deploy", "--config", settings, "--bundle", Bundle, "--services", "backend", "--image-tag", DesiredTag);
        Deployed = new InstanceBoot(_cloud, root, Name, $"{Name}-one", Path.Combine(root, "hosts", "one"), frontendPort, Bucket);
    }
}
