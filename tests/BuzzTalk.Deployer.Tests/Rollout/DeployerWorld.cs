using System.Globalization;
using System.Text;
using System.Text.Json;
using BuzzTalk.AppHost.Publish;
using BuzzTalk.Deployer.Cli;
using BuzzTalk.Deployer.Rollout;
using BuzzTalk.Publishing;
using BuzzTalk.Testing;

namespace BuzzTalk.Deployer.Tests.Rollout;

/// <summary>
/// A real sshd on loopback in front of the local swarm, a bundle from the real publisher with the
/// test app as backend, and the Deployer CLI run in process against it with a settings file.
/// Instances are logical: each has its own stack, release folder, env folder and lease.
/// </summary>
public sealed class DeployerWorld : IAsyncDisposable
{
    private readonly ScratchDirectory _scratch = new();
    private readonly List<string> _stacks = [];

    // The published model a test changed (StartAsync's model): the boot script is rendered from it.
    private PublishSettings? _modelled;

    private DeployerWorld(SshServer ssh) => Ssh = ssh;

    public SshServer Ssh { get; }

    public string Root => _scratch.Path;

    public string Name { get; } = "dp" + Guid.NewGuid().ToString("N")[..6];

    public int FrontendPort { get; } = ServerProcess.FreePort();

    public string BundleDirectory => Path.Combine(Root, "bundle");

    public string KnownHostsFile => Path.Combine(Root, "known_hosts");

    public string EnvDirectory => Path.Combine(Root, "rendered");

    /// <summary>The secret values of the operator's .env below: none may show up outside the env files and Secret Manager.</summary>
    public static IReadOnlyList<string> Secrets { get; } = ["Pw-9f2c71d0a4", "Pw-3e81b7", "Hook-55d1e0"];

    /// <param name="backendOnly">The stack holds the backend only (many logical instances on one swarm, no ports).</param>
    /// <param name="portPerInstance">
    /// The stack holds the backend and the frontend, whose published port an instance's boot sets
    /// (<see cref="Releases.InstanceBoot.FrontendPortVariable"/>); deploys through the Deployer publish <see cref="FrontendPort"/>.
    /// </param>
    /// <param name="backendImage">The backend's image as published (repository:tag, e.g. the real backend); null runs the test app.</param>
    /// <param name="backendReplicas">Backend replicas per instance in the stack.</param>
    /// <param name="model">A change to the published services (e.g. a start order) before the bundle is composed.</param>
    public static async Task<DeployerWorld> StartAsync(bool backendOnly = false, bool portPerInstance = false, string? backendImage = null, int backendReplicas = 1,
        Func<PublishSettings, PublishSettings>? model = null)
    {
        var world = new DeployerWorld(await SshServer.StartAsync());
        try
        {
            await File.WriteAllTextAsync(world.KnownHostsFile, world.Ssh.KnownHostsLine + "\n");
            await world.WriteBundleAsync(backendOnly, portPerInstance, backendImage, backendReplicas, model);
            await File.WriteAllTextAsync(Path.Combine(world.Root, "test.env"), """
                MYSQL_DB_NAME=from-deployer
                MYSQL_DB_USER=buzztalk
                MYSQL_DB_PASSWORD=Pw-9f2c71d0a4
                MYSQL_DB_HOST=127.0.0.1
                MYSQL_DB_PORT=3306
                REDIS_URL=redis://:Pw-3e81b7@127.0.0.1:6379/0
                SCALER_WEBHOOK_PASSWORD=Hook-55d1e0
                """);
            return world;
        }
        catch
        {
            await world.DisposeAsync();
            throw;
        }
    }

    /// <summary>
    /// Writes the settings file for the given instances (name → SSH port) and returns its path.
    /// Without <paramref name="healthUrl"/> the gate asks <paramref name="healthOrigin"/> (default:
    /// the instance's nginx) for the bundle's health path, as a deployed Deployer does.
    /// </summary>
    public string Settings(IReadOnlyList<(string Name, int Port)>? instances = null, string? healthUrl = null, TimeSpan? leaseWait = null,
        TimeSpan? convergeTimeout = null, TimeSpan? healthTimeout = null, FakeInstanceCloud? cloud = null, Uri? discoveryUrl = null,
        string? healthOrigin = null)
    {
        instances ??= [("local", Ssh.Port)];
        foreach (var (name, _) in instances)
        {
            var stack = $"{Name}-{name}";
            if (!_stacks.Contains(stack))
            {
                _stacks.Add(stack);
            }
        }

        var settings = new
        {
            Deployer = new
            {
                Stack = Name + "-{instance}",
                RemoteRoot = Path.Combine(Root, "hosts", "{instance}", "opt"),
                EnvDirectory = Path.Combine(Root, "hosts", "{instance}", "env"),
                LeaseDirectory = Path.Combine(Root, "hosts", "{instance}", "lease"),
                RunDirectory = Path.Combine(Root, "hosts", "{instance}", "run"),
                LeaseTtl = "00:00:30",
                LeaseWait = (leaseWait ?? TimeSpan.Zero).ToString("c", CultureInfo.InvariantCulture),
                ConvergeTimeout = (convergeTimeout ?? TimeSpan.FromMinutes(2)).ToString("c", CultureInfo.InvariantCulture),
                PollInterval = "00:00:00.5",
                Health = new
                {
                    Url = healthUrl,
                    Origin = healthOrigin ?? $"http://127.0.0.1:{FrontendPort}",
                    Timeout = (healthTimeout ?? TimeSpan.FromSeconds(30)).ToString("c", CultureInfo.InvariantCulture),
                },
                Ssh = new { Ssh.User, PrivateKeyFile = Ssh.ClientKeyFile, KnownHostsFile, ConnectTimeout = "00:00:05" },
                Instances = instances.Select(i => new { i.Name, Host = "127.0.0.1", SshPort = i.Port }).ToArray(),
                DiscoveryUrl = discoveryUrl?.AbsoluteUri,
                Release = cloud is null ? null : new
                {
                    Bucket = CloudBucket,
                    MetadataUrl = cloud.MetadataUrl,
                    StorageUrl = cloud.StorageUrl,
                    UploadUrl = cloud.UploadUrl,
                    SecretManagerUrl = cloud.SecretManagerUrl,
                },
            },
        };
        var path = Path.Combine(Root, $"settings-{Guid.NewGuid():N}.json");
        File.WriteAllText(path, JsonSerializer.Serialize(settings, s_settingsJson));
        return path;
    }

    /// <summary>The bundle bucket of the fake cloud, as the instance template names it.</summary>
    public const string CloudBucket = "acme-buzztalk";

    private static readonly JsonSerializerOptions s_settingsJson = new() { DefaultIgnoreCondition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull };

    /// <summary>
    /// The published instance script as the instance's boot runs it: the stack and folders the
    /// Deployer's settings give the instance, its nginx on <paramref name="frontendPort"/>
    /// (<see cref="FrontendPort"/> for an instance the Deployer deployed). Its stack goes with the world.
    /// </summary>
    [System.Runtime.Versioning.SupportedOSPlatform("linux")]
    public Releases.InstanceBoot Boot(FakeInstanceCloud cloud, string instance, int frontendPort)
    {
        var stack = $"{Name}-{instance}";
        if (!_stacks.Contains(stack))
        {
            _stacks.Add(stack);
        }

        return new Releases.InstanceBoot(cloud, Root, Name, stack, HostPath(instance), frontendPort, CloudBucket, _modelled);
    }

    public string HostPath(string instance, params string[] parts) => Path.Combine([Root, "hosts", instance, .. parts]);

    /// <summary>Runs the CLI in process; returns the exit code, stdout and stderr.</summary>
    public static Task<(int Exit, string Out, string Err)> CliAsync(params string[] args) => CliAsync(null, args);

    /// <summary>Runs the CLI in process, handing each progress line (stderr) to <paramref name="onProgress"/> as it is written.</summary>
    public static async Task<(int Exit, string Out, string Err)> CliAsync(Action<string>? onProgress, params string[] args)
    {
        using var stdout = new StringWriter(CultureInfo.InvariantCulture);
        using var stderr = new ProgressWriter(onProgress);
        var exit = await DeployerCli.RunAsync(args, stdout, stderr);
        return (exit, stdout.ToString(), stderr.ToString());
    }

    private sealed class ProgressWriter(Action<string>? onLine) : StringWriter(CultureInfo.InvariantCulture)
    {
        public override void WriteLine(string? value)
        {
            base.WriteLine(value);
            if (value is not null)
            {
                onLine?.Invoke(value);
            }
        }
    }

    /// <summary>Runs <c>status</c> and returns every instance's status (the command exits 1 on drift, which is not checked here).</summary>
    public static async Task<List<InstanceStatus>> StatusAsync(string settings)
    {
        var (_, output, errors) = await CliAsync("status", "--config", settings, "--output", "json");
        return JsonSerializer.Deserialize(output, DeployerJsonContext.Default.ListInstanceStatus) ?? throw new InvalidOperationException($"status printed no report: {errors}");
    }

    public static FleetReport Report(string json) =>
        JsonSerializer.Deserialize(json, DeployerJsonContext.Default.FleetReport) ?? throw new InvalidOperationException("no report");

    public async Task RenderEnvAsync()
    {
        var (exit, _, err) = await CliAsync("render-env", "--env", Path.Combine(Root, "test.env"), "--bundle", BundleDirectory, "--out", EnvDirectory);
        if (exit != 0)
        {
            throw new InvalidOperationException($"render-env failed: {err}");
        }
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var stack in _stacks)
        {
            await ToolRun.RunAsync("docker", Path.GetTempPath(), "stack", "rm", stack);
        }

        await Ssh.DisposeAsync();
        _scratch.Dispose();
    }

    private async Task WriteBundleAsync(bool backendOnly, bool portPerInstance, string? backendImage, int backendReplicas,
        Func<PublishSettings, PublishSettings>? model)
    {
        var settings = PublishedModel.Settings("http://127.0.0.1", Name).WithService("backend", backend => backend with
        {
            Replicas = backendReplicas,
            Image = backendImage is null
                ? new BuzzTalk.Publishing.ContainerImage("buzztalk/testapp", "v1")
                : new BuzzTalk.Publishing.ContainerImage(backendImage[..backendImage.LastIndexOf(':')], backendImage[(backendImage.LastIndexOf(':') + 1)..]),
        });
        if (model is not null)
        {
            settings = _modelled = model(settings);
        }

        var files = BundleComposer.Compose(settings).Where(f => f.Path != BundleComposer.ChecksumsPath).ToList();
        // The stack file and its start waves' files (stack/start-<k>.yml) alike.
        foreach (var stack in files.Where(f => f.Path.StartsWith("stack/", StringComparison.Ordinal) && f.Path.EndsWith(".yml", StringComparison.Ordinal)).ToList())
        {
            var rewritten = TestStackFile.Rewrite(stack.Content, FrontendPort, backendImage: "buzztalk/testapp:${BACKEND_IMAGE_TAG:-v1}",
                keepServices: backendOnly ? ["backend"] : portPerInstance ? ["edge", "backend", "frontend"] : null, fastUpdates: true,
                frontendPortVariable: portPerInstance ? Releases.InstanceBoot.FrontendPortVariable : null, publishedBackend: backendImage is not null);
            files[files.IndexOf(stack)] = stack with { Content = rewritten };
        }

        files.Add(new BundleFile(BundleComposer.ChecksumsPath, BundleComposer.Checksums(files)));
        await BundleWriter.WriteAsync(BundleDirectory, files, CancellationToken.None);
    }

    /// <summary>Changes one file of the bundle and its checksum, as a new publish of that change would.</summary>
    public async Task RewriteBundleFileAsync(string path, Func<string, string> change)
    {
        var files = new List<BundleFile>();
        foreach (var file in Directory.EnumerateFiles(BundleDirectory, "*", SearchOption.AllDirectories))
        {
            var relative = Path.GetRelativePath(BundleDirectory, file).Replace('\\', '/');
            if (relative != BundleComposer.ChecksumsPath)
            {
                var content = await File.ReadAllTextAsync(file);
                files.Add(new BundleFile(relative, relative == path ? change(content) : content));
            }
        }

        files.Add(new BundleFile(BundleComposer.ChecksumsPath, BundleComposer.Checksums(files)));
        await BundleWriter.WriteAsync(BundleDirectory, files, CancellationToken.None);
    }

    /// <summary>The id of the running container of one of the instance's services.</summary>
    public async Task<string> ContainerOfAsync(string instance, string service) =>
        string.Join("\n", (await RunningContainersAsync(instance, service, "{{.ID}}")));

    /// <summary>The running containers of an instance's service (a stopping one runs until it exits), each as <paramref name="format"/> shows it.</summary>
    public async Task<IReadOnlyList<string>> RunningContainersAsync(string instance, string service, string format) =>
        (await ToolRun.RunCheckedAsync("docker", Path.GetTempPath(), "ps", "--no-trunc", "--format", format, "--filter",
            $"label=com.docker.swarm.service.name={Name}-{instance}_{service}", "--filter", "status=running"))
        .Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    /// <summary>The last lines every task of an instance's service logged, stopped ones included, with timestamps.</summary>
    public async Task<string> ServiceLogAsync(string instance, string service)
    {
        var (_, output) = await ToolRun.RunAsync("docker", Path.GetTempPath(), "service", "logs", "--timestamps", "--tail", "300",
            $"{Name}-{instance}_{service}");
        return output;
    }

    /// <summary>GETs a path through the instance's nginx.</summary>
    public async Task<string> GetAsync(HttpClient http, string path) =>
        Encoding.UTF8.GetString(await http.GetByteArrayAsync(new Uri($"http://127.0.0.1:{FrontendPort}{path}")));
}
