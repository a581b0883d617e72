using System.Globalization;
using BuzzTalk.Fleet;

namespace BuzzTalk.Publishing.Startup;

/// <summary>
/// The <c>startup/</c> part of the bundle: the instance template's tiny <c>bootstrap.sh</c>, which
/// fetches <c>instance.sh</c> from the bucket and runs it, and <c>instance.sh</c> itself (Docker,
/// single-node swarm, registry login, bundle, stack deploy, readiness).
/// </summary>
public static class StartupScriptsGenerator
{
    public const string BootstrapPath = "startup/bootstrap.sh";

    public const string InstanceScriptPath = "startup/instance.sh";

    /// <summary>The template's shutdown-script: run by GCE at a preemption notice or any stop.</summary>
    public const string ShutdownScriptPath = "startup/shutdown.sh";

    /// <summary>
    /// How long a leaving instance fails its health check before its backends stop: the load
    /// balancer's check interval times its unhealthy threshold, plus a second, so it has marked the
    /// instance down first. Well inside GCE's 30 s notice, with the backends' stop after it.
    /// </summary>
    public static int DrainSeconds => Terraform.TerraformGenerator.HealthCheckIntervalSec * Terraform.TerraformGenerator.HealthCheckUnhealthyThreshold + 1;

    /// <summary>At most this long for the backends to stop (their websockets closed with 1001, requests finished).</summary>
    public const int BackendStopSeconds = 15;

    /// <summary>Where the Deployer writes the stack's env files on an instance (root-only directory).</summary>
    public const string EnvDirectory = Stack.StackFileGenerator.DefaultEnvDirectory;

    /// <summary>The env file without which the instance waits for the Deployer instead of deploying.</summary>
    public const string BackendEnvFile = "backend.env";

    /// <summary>The stack file inside the unpacked bundle.</summary>
    public const string StackFile = Stack.StackFileGenerator.StackPath;

    /// <summary>Held with flock for the whole run, so a second run waits instead of overlapping.</summary>
    public const string LockFile = "/run/buzztalk-instance.lock";

    /// <summary>How long the script waits for the frontend's health check after the deploy.</summary>
    public const int HealthTimeoutSeconds = 300;

    /// <summary>Guest attribute (namespace/key) set to <c>true</c> once the stack answers.</summary>
    public const string ReadyGuestAttribute = "buzztalk/ready";

    /// <summary>Guest attribute set to the revision and release id the instance runs (the desired one at boot).</summary>
    public const string ReleaseGuestAttribute = "buzztalk/release";

    /// <summary>The desired-release record an instance keeps under its bundle root, as the Deployer writes it.</summary>
    public const string RunningRecordFile = "running.json";

    public static IReadOnlyList<BundleFile> Generate(PublishSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        return
        [
            new(BootstrapPath, Bootstrap(), Executable: true),
            new(InstanceScriptPath, Instance(settings), Executable: true),
            new(ShutdownScriptPath, Shutdown(settings), Executable: true),
        ];
    }

    // Runs as root from GCE's startup-script runner on every boot. Only curl, python3 (in every
    // Debian GCE image) and bash: no gcloud, no jq.
    private static string Bootstrap() => ShellTemplate.Render(Template("bootstrap.sh"), new Dictionary<string, string>
    {
        ["KEY_BUCKET"] = Key(InstanceMetadataKeys.Bucket),
        ["KEY_INSTANCE_SCRIPT"] = Key(InstanceMetadataKeys.InstanceScriptObject),
    });

    private static string Instance(PublishSettings settings)
    {
        var port = ShellTemplate.RequirePort(settings.FrontendPort, nameof(settings.FrontendPort));
        var early = Stack.StackFileGenerator.StartOrder(settings.Services);
        // Only a stack with a start order gets the waves' part: the others' script keeps its bytes.
        var lists = early.Count == 0 ? null : new Dictionary<string, IReadOnlyList<string>>
        {
            ["WAVE_FILES"] = [.. early.Select(wave => wave.File)],
            ["WAVE_SERVICES"] = [.. early.Select(wave => string.Join(' ',
                wave.Services.Select(name => ShellTemplate.RequireMatch(name, ShellTemplate.ServiceName(), "service name"))))],
        };
        return ShellTemplate.Render(ShellTemplate.Section(Template("instance.sh"), "start-waves", keep: lists is not null), new Dictionary<string, string>
        {
            ["KEY_BUCKET"] = Key(InstanceMetadataKeys.Bucket),
            ["KEY_BUNDLE_OBJECT"] = Key(InstanceMetadataKeys.BundleObject),
            ["KEY_REGISTRY_SECRET"] = Key(InstanceMetadataKeys.RegistrySecret),
            ["KEY_REGISTRY_HOST"] = Key(InstanceMetadataKeys.RegistryHost),
            ["KEY_REGISTRY_USER"] = Key(InstanceMetadataKeys.RegistryUser),
            ["KEY_BACKEND_TAG"] = Key(InstanceMetadataKeys.BackendImageTag),
            ["KEY_FRONTEND_TAG"] = Key(InstanceMetadataKeys.FrontendImageTag),
            ["STACK_NAME"] = ShellTemplate.RequireMatch(settings.Name, ShellTemplate.SimpleName(), nameof(settings.Name)),
            ["DEPLOY_USER"] = ShellTemplate.RequireMatch(settings.Cloud.SshUser, ShellTemplate.SimpleName(), nameof(settings.Cloud.SshUser)),
            ["BACKEND_TAG"] = ShellTemplate.RequireMatch(settings.BackendService.Image.Tag, ShellTemplate.ImageTag(), "BackendImage.Tag"),
            ["FRONTEND_TAG"] = ShellTemplate.RequireMatch(settings.SiteService.Image.Tag, ShellTemplate.ImageTag(), "FrontendImage.Tag"),
            ["BUNDLE_ROOT"] = ShellTemplate.RequirePath(settings.InstanceBundleDirectory, nameof(settings.InstanceBundleDirectory)),
            ["ENV_DIR"] = EnvDirectory,
            ["BACKEND_ENV_FILE"] = BackendEnvFile,
            ["STACK_FILE"] = StackFile,
            ["EDGE_SOURCE"] = Stack.StackFileGenerator.NginxPath,
            ["EDGE_SERVICE"] = BuzzTalk.Fleet.Swarm.InstanceEdge.Service,
            ["EDGE_CONFIG"] = BuzzTalk.Fleet.Swarm.InstanceEdge.ConfigFile,
            ["EDGE_NEXT"] = BuzzTalk.Fleet.Swarm.InstanceEdge.NextConfigFile,
            ["LOCK_FILE"] = LockFile,
            ["HEALTH_URL"] = string.Create(CultureInfo.InvariantCulture, $"http://127.0.0.1:{port}/healthz"),
            ["HEALTH_TIMEOUT"] = HealthTimeoutSeconds.ToString(CultureInfo.InvariantCulture),
            ["READY_ATTRIBUTE"] = ReadyGuestAttribute,
            ["RUN_DIR"] = Stack.StackFileGenerator.DefaultRunDirectory,
            ["DRAIN_FILE"] = Stack.StackFileGenerator.DrainFileName,
            ["RELEASE_ATTRIBUTE"] = ReleaseGuestAttribute,
            ["RUNNING_RECORD"] = RunningRecordFile,
            ["RELEASE_PREFIX"] = ShellTemplate.RequireMatch(settings.Cloud.ReleasePrefix, ShellTemplate.ObjectPrefix(), nameof(settings.Cloud.ReleasePrefix)),
        }, lists);
    }

    // GCE runs it as root at a preemption notice (about 30 s before the power goes) and at any
    // stop. No -e: every step is tried within the notice, whatever failed before it.
    private static string Shutdown(PublishSettings settings) => ShellTemplate.Render(Template("shutdown.sh"), new Dictionary<string, string>
    {
        ["STACK_NAME"] = ShellTemplate.RequireMatch(settings.Name, ShellTemplate.SimpleName(), nameof(settings.Name)),
        ["RUN_DIR"] = Stack.StackFileGenerator.DefaultRunDirectory,
        ["DRAIN_FILE"] = Stack.StackFileGenerator.DrainFileName,
        ["DRAIN_SECONDS"] = DrainSeconds.ToString(CultureInfo.InvariantCulture),
        ["BACKEND_STOP_SECONDS"] = BackendStopSeconds.ToString(CultureInfo.InvariantCulture),
        ["READY_ATTRIBUTE"] = ReadyGuestAttribute,
    });

    /// <summary>A script template kept as a file beside this class (embedded by file name).</summary>
    private static string Template(string name) => EmbeddedScript.Read(typeof(StartupScriptsGenerator).Assembly, name);

    private static string Key(string key) => ShellTemplate.RequireMatch(key, ShellTemplate.MetadataKey(), "metadata key");
}
