using System.Globalization;
using BuzzTalk.Fleet;
using BuzzTalk.Publishing.Monitoring;
using BuzzTalk.Publishing.Startup;

namespace BuzzTalk.Publishing.OpsHost;

/// <summary>
/// The <c>ops-host/</c> part of the bundle: hardened systemd units for the Scaler, Discovery and
/// Deployer, drop-ins over the distribution's monitoring units, a <c>buzztalk.target</c> grouping
/// them, and an idempotent <c>install.sh</c>. systemd restarts what dies (the seed's cron watchdog).
/// </summary>
public static partial class OpsHostUnitsGenerator
{
    public const string InstallScriptPath = "ops-host/install.sh";

    /// <summary>Units and drop-ins in the bundle; install.sh copies them to /etc/systemd/system.</summary>
    public const string SystemdDirectory = "ops-host/systemd";

    /// <summary>Where install.sh takes the services' binaries from, if the bundle carries them.</summary>
    public const string BinaryDirectory = "ops-host/bin";

    /// <summary>Bundle folder with the monitoring files (Prometheus, Alertmanager, blackbox, Grafana).</summary>
    public const string BundleMonitoringDirectory = "monitoring";

    /// <summary>Where install.sh puts the bundle's monitoring files; the drop-ins point here.</summary>
    public const string MonitoringDirectory = MonitoringGenerator.InstalledRoot + "/" + BundleMonitoringDirectory;

    // The bundle's monitoring paths, as installed: one source for the generator and the units.
    public const string PrometheusConfig = MonitoringGenerator.InstalledRoot + "/" + MonitoringGenerator.PrometheusConfigPath;

    public const string AlertmanagerConfig = MonitoringGenerator.InstalledRoot + "/" + MonitoringGenerator.AlertmanagerConfigPath;

    public const string BlackboxConfig = MonitoringGenerator.InstalledRoot + "/" + MonitoringGenerator.BlackboxConfigPath;

    public const string GrafanaProvisioning = MonitoringGenerator.InstalledRoot + "/monitoring/grafana/provisioning";

    /// <summary>Static system user of the BuzzTalk services (Discovery's file_sd files must outlive a run).</summary>
    public const string ServiceUser = "buzztalk";

    public const string TargetName = "buzztalk.target";

    /// <summary>The drop-in file name under <c>&lt;unit&gt;.d/</c>.</summary>
    public const string DropInName = "buzztalk.conf";

    /// <summary>Debian packages install.sh adds when missing (Grafana comes from Grafana's own apt repository).</summary>
    public static IReadOnlyList<string> DebianPackages { get; } =
    [
        "prometheus",
        "prometheus-alertmanager",
        "prometheus-node-exporter",
        "prometheus-blackbox-exporter",
        "prometheus-redis-exporter",
    ];

    private static readonly string[] s_monitoringUnits =
    [
        "prometheus.service",
        "prometheus-alertmanager.service",
        "prometheus-node-exporter.service",
        "prometheus-blackbox-exporter.service",
        "prometheus-redis-exporter.service",
    ];

    private const string GrafanaUnit = "grafana-server.service";

    public static IReadOnlyList<BundleFile> Generate(PublishSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        var ops = settings.OpsHost;
        var install = ShellTemplate.RequirePath(ops.InstallDirectory, nameof(ops.InstallDirectory));
        var fileSd = ShellTemplate.RequirePath(ops.FileSdDirectory, nameof(ops.FileSdDirectory));
        var services = Services(settings);

        var files = new List<BundleFile>();
        foreach (var service in services)
        {
            files.Add(new($"{SystemdDirectory}/{service.Name}.service", ServiceUnit(service, install, fileSd)));
        }

        files.Add(new($"{SystemdDirectory}/{TargetName}", Target(services)));
        foreach (var (unit, content) in DropIns(settings))
        {
            files.Add(new($"{SystemdDirectory}/{unit}.d/{DropInName}", content));
        }

        files.Add(new(InstallScriptPath, InstallScript(services, install, fileSd), Executable: true));
        return files;
    }

    /// <summary>The backend replicas the Scaler may set on an instance (the seed's bounds).</summary>
    public const int BackendMinReplicas = 1;

    public const int BackendMaxReplicas = 4;

    private static BuzzTalkService[] Services(PublishSettings settings) => Services(settings.OpsHost, Monitoring.ScalingRules.BackendService(settings));

    private static BuzzTalkService[] Services(OpsHostSettings ops, string backendService) =>
    [
        // Only the configured services are ever scaled: the backend. The frontend holds the host
        // port, one task per node, so it is not a scaling target.
        new("buzztalk-scaler", "BuzzTalk Scaler: alert webhooks and its evaluator scale swarm services over SSH",
            ShellTemplate.RequirePort(ops.ScalerPort, nameof(ops.ScalerPort)), WritesFileSd: false)
        {
            Settings =
            [
                ($"Scaler__Services__{backendService}__Min", BackendMinReplicas.ToString(CultureInfo.InvariantCulture)),
                ($"Scaler__Services__{backendService}__Max", BackendMaxReplicas.ToString(CultureInfo.InvariantCulture)),
            ],
        },
        new("buzztalk-discovery", "BuzzTalk Discovery: instance inventory for Prometheus, the Scaler and the Deployer",
            ShellTemplate.RequirePort(ops.DiscoveryPort, nameof(ops.DiscoveryPort)), WritesFileSd: true),
        new("buzztalk-deployer", "BuzzTalk Deployer: rollouts to the instances",
            ShellTemplate.RequirePort(ops.DeployerPort, nameof(ops.DeployerPort)), WritesFileSd: false),
    ];

    private static string ServiceUnit(BuzzTalkService service, string installDirectory, string fileSdDirectory) => UnitTemplate.Render(
        Template("buzztalk-service.service.template"),
        new Dictionary<string, string>
        {
            ["DESCRIPTION"] = service.Description,
            ["TARGET"] = TargetName,
            ["USER"] = ServiceUser,
            ["INSTALL_DIR"] = installDirectory,
            ["NAME"] = service.Name,
            ["PORT"] = service.Port.ToString(CultureInfo.InvariantCulture),
            ["ENV_DIR"] = StartupScriptsGenerator.EnvDirectory,
            ["STATE"] = "buzztalk/" + service.Name["buzztalk-".Length..],
            // Prometheus (another user) reads the file_sd files, so they are world-readable.
            ["UMASK"] = service.WritesFileSd ? "0022" : "0027",
        },
        new Dictionary<string, IReadOnlyList<string>>
        {
            ["SETTING"] = service.Settings
                .Select(s => $"{ShellTemplate.RequireMatch(s.Key, SettingKey(), "setting")}={ShellTemplate.RequireMatch(s.Value, SettingKey(), "setting")}")
                .ToArray(),
            ["WRITABLE_PATH"] = service.WritesFileSd ? [fileSdDirectory] : [],
        });

    private static string Target(IEnumerable<BuzzTalkService> services) => UnitTemplate.Render(
        Template("buzztalk.target.template"),
        new Dictionary<string, string>
        {
            ["WANTS"] = string.Join(' ', services.Select(s => s.Name + ".service").Concat(s_monitoringUnits).Append(GrafanaUnit)),
        });

    private static IEnumerable<(string Unit, string Content)> DropIns(PublishSettings settings)
    {
        var ops = settings.OpsHost;
        var env = StartupScriptsGenerator.EnvDirectory;
        string Port(int port, string what) => ShellTemplate.RequirePort(port, what).ToString(CultureInfo.InvariantCulture);

        yield return DropIn("prometheus.service", new()
        {
            ["CONFIG"] = PrometheusConfig,
            ["PORT"] = Port(ops.PrometheusPort, nameof(ops.PrometheusPort)),
        });
        yield return DropIn("prometheus-alertmanager.service", new()
        {
            ["CREDENTIAL"] = MonitoringDefaults.ScalerWebhookPasswordFile,
            ["SECRET_FILE"] = Monitoring.AlertmanagerConfig.SecretFile(settings),
            ["CONFIG"] = AlertmanagerConfig,
            ["PORT"] = Port(ops.AlertmanagerPort, nameof(ops.AlertmanagerPort)),
        });
        yield return DropIn("prometheus-node-exporter.service", new()
        {
            ["PORT"] = Port(settings.NodeExporterPort, nameof(settings.NodeExporterPort)),
        });
        yield return DropIn("prometheus-blackbox-exporter.service", new()
        {
            ["CONFIG"] = BlackboxConfig,
            ["PORT"] = Port(ops.BlackboxExporterPort, nameof(ops.BlackboxExporterPort)),
        });
        yield return DropIn("prometheus-redis-exporter.service", new()
        {
            ["ENV_DIR"] = env,
            ["PORT"] = Port(ops.RedisExporterPort, nameof(ops.RedisExporterPort)),
        });
        yield return DropIn(GrafanaUnit, new()
        {
            ["PORT"] = Port(ops.GrafanaPort, nameof(ops.GrafanaPort)),
            ["PROVISIONING"] = GrafanaProvisioning,
            ["ENV_DIR"] = env,
            ["CREDENTIAL"] = MonitoringDefaults.ScalerWebhookPasswordFile,
            ["SECRET_FILE"] = Monitoring.AlertmanagerConfig.SecretFile(settings),
        });
    }

    /// <summary>A drop-in from its own template, named after the unit it goes over.</summary>
    private static (string Unit, string Content) DropIn(string unit, Dictionary<string, string> values) =>
        (unit, UnitTemplate.Render(Template(unit + ".conf.template"), new Dictionary<string, string>(values) { ["TARGET"] = TargetName }));

    private static string InstallScript(IReadOnlyList<BuzzTalkService> services, string installDirectory, string fileSdDirectory)
    {
        var unitFiles = services.Select(s => s.Name + ".service").Append(TargetName).ToArray();
        return ShellTemplate.Render(
            Template("install.sh"),
            new Dictionary<string, string>
            {
                ["SERVICE_USER"] = ServiceUser,
                ["INSTALL_DIR"] = installDirectory,
                ["FILE_SD_DIR"] = fileSdDirectory,
                ["ENV_DIR"] = StartupScriptsGenerator.EnvDirectory,
                ["MONITORING_DIR"] = MonitoringDirectory,
                ["BUNDLE_MONITORING"] = BundleMonitoringDirectory,
                ["BUNDLE_SYSTEMD"] = SystemdDirectory,
                ["BUNDLE_BIN"] = BinaryDirectory,
                ["TARGET"] = TargetName,
                ["DROP_IN"] = DropInName,
                ["GRAFANA_UNIT"] = GrafanaUnit,
            },
            new Dictionary<string, IReadOnlyList<string>>
            {
                ["PACKAGES"] = DebianPackages,
                ["SERVICES"] = services.Select(s => s.Name).ToArray(),
                ["UNIT_FILES"] = unitFiles,
                ["MONITORING_UNITS"] = s_monitoringUnits,
            });
    }

    /// <summary>A template kept as a file beside this class (embedded by file name).</summary>
    private static string Template(string name) => EmbeddedScript.Read(typeof(OpsHostUnitsGenerator).Assembly, name);

    /// <summary>Unit settings are plain names and numbers: nothing systemd would expand or split.</summary>
    [System.Text.RegularExpressions.GeneratedRegex("^[A-Za-z0-9_.-]{1,200}$")]
    private static partial System.Text.RegularExpressions.Regex SettingKey();
}
