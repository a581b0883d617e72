using System.Globalization;
using System.Runtime.Versioning;
using BuzzTalk.AppHost.Publish;
using BuzzTalk.Publishing;
using BuzzTalk.Publishing.Startup;
using BuzzTalk.Testing;

namespace BuzzTalk.Deployer.Tests.Releases;

/// <summary>
/// The published <c>startup/instance.sh</c> run as a boot runs it, with the real docker and the
/// fake cloud (metadata server, Storage, Secret Manager), for one logical instance of the local
/// fleet: its own stack, folders and nginx port. The tests and the replacement-boot benchmark
/// boot through this one helper, so the figure measures what the tests prove.
/// </summary>
public sealed class InstanceBoot
{
    /// <summary>The variable a test stack file takes the frontend's published port from (one port per instance on one swarm).</summary>
    public const string FrontendPortVariable = "BUZZTALK_TEST_FRONTEND_PORT";

    private readonly string _script;
    private readonly string _shutdown;
    private readonly string _log;
    private readonly Dictionary<string, string> _environment;

    /// <param name="cloud">The fake metadata server, Storage and Secret Manager the boot reads.</param>
    /// <param name="root">Scratch folder for the script, its lock and its log.</param>
    /// <param name="publishName">The bundle's name (the script's defaults derive from it).</param>
    /// <param name="stack">The instance's stack name on the local swarm.</param>
    /// <param name="host">The instance's "disk": its opt, env and run folders live under it.</param>
    /// <param name="frontendPort">The port the instance's nginx publishes (and its health check asks).</param>
    /// <param name="bucket">The bundle bucket the instance template names in the metadata.</param>
    /// <param name="settings">The published model the script is rendered from (e.g. with a start order); null for the AppHost's own.</param>
    [SupportedOSPlatform("linux")]
    public InstanceBoot(FakeInstanceCloud cloud, string root, string publishName, string stack, string host, int frontendPort, string bucket,
        PublishSettings? settings = null)
    {
        cloud.Attributes[InstanceMetadataKeys.Bucket] = bucket;
        Host = host;
        FrontendPort = frontendPort;
        _script = Path.Combine(root, "instance.sh");
        _shutdown = Path.Combine(root, "shutdown.sh");
        _log = Path.Combine(root, $"boot-{stack}.log");
        var logger = Path.Combine(root, $"logger-{stack}");
        var scripts = StartupScriptsGenerator.Generate(settings ?? PublishedModel.Settings("http://127.0.0.1", publishName));
        File.WriteAllText(_script, scripts.Single(f => f.Path == StartupScriptsGenerator.InstanceScriptPath).Content);
        File.WriteAllText(_shutdown, scripts.Single(f => f.Path == StartupScriptsGenerator.ShutdownScriptPath).Content);
        // The script logs through logger(1); this one appends to a file the tests read.
        File.WriteAllText(logger, $"#!/bin/sh\nprintf '%s\\n' \"$*\" >> '{_log}'\n");
        File.SetUnixFileMode(logger, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        var port = frontendPort.ToString(CultureInfo.InvariantCulture);
        _environment = new Dictionary<string, string>
        {
            ["BUZZTALK_METADATA_URL"] = cloud.MetadataUrl,
            ["BUZZTALK_STORAGE_URL"] = cloud.StorageUrl,
            ["BUZZTALK_SECRETMANAGER_URL"] = cloud.SecretManagerUrl,
            ["BUZZTALK_LOGGER"] = logger,
            ["BUZZTALK_USERMOD"] = "true",
            ["BUZZTALK_STACK_NAME"] = stack,
            ["BUZZTALK_BUNDLE_ROOT"] = Path.Combine(host, "opt"),
            ["BUZZTALK_ENV_DIR"] = Path.Combine(host, "env"),
            ["BUZZTALK_RUN_DIR"] = Path.Combine(host, "run"),
            ["BUZZTALK_LOCK_FILE"] = Path.Combine(host, "instance.lock"),
            ["BUZZTALK_HEALTH_URL"] = $"http://127.0.0.1:{port}/backend/health",
            ["BUZZTALK_HEALTH_TIMEOUT_SECONDS"] = "120",
            ["BUZZTALK_HEALTH_INTERVAL_SECONDS"] = "0.5",
            [FrontendPortVariable] = port,
        };
    }

    public string Host { get; }

    public int FrontendPort { get; }

    /// <summary>Runs the script to its end; returns its exit code, its output and its log lines.</summary>
    public async Task<(int ExitCode, string Output, string Log)> RunAsync()
    {
        Directory.CreateDirectory(Host);
        var (exit, output) = await ToolRun.RunAsync("bash", Path.GetDirectoryName(_script)!, _environment, "-x", _script);
        return (exit, output, File.Exists(_log) ? await File.ReadAllTextAsync(_log) : "");
    }

    /// <summary>
    /// The published shutdown script, as GCE runs it at a preemption notice or a deletion: the
    /// instance fails its health check, waits out the balancer's check, then stops its backends.
    /// </summary>
    public async Task<(int ExitCode, string Output)> LeaveAsync() =>
        await ToolRun.RunAsync("bash", Path.GetDirectoryName(_shutdown)!, _environment, _shutdown);

    /// <summary>A new disk: no stack (and its network gone), no releases, no env files, an empty /run.</summary>
    public async Task WipeAsync()
    {
        await DockerCli.RemoveStackAsync(_environment["BUZZTALK_STACK_NAME"], TimeSpan.FromMinutes(2));
        foreach (var directory in new[] { "opt", "env", "run" })
        {
            var path = Path.Combine(Host, directory);
            if (Directory.Exists(path))
            {
                Directory.Delete(path, recursive: true);
            }
        }
    }

    /// <summary>GETs a path through the instance's nginx.</summary>
    public async Task<string> GetAsync(HttpClient http, string path) =>
        await http.GetStringAsync(new Uri($"http://127.0.0.1:{FrontendPort.ToString(CultureInfo.InvariantCulture)}{path}"));
}
