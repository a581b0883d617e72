using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using BuzzTalk.Fleet.Swarm;
using BuzzTalk.Publishing.Nginx;
using YamlDotNet.RepresentationModel;
using static BuzzTalk.Publishing.YamlText;

namespace BuzzTalk.Publishing.Stack;

/// <summary>
/// The instance's swarm stack (<c>stack/docker-stack.yml</c>) and the production nginx config it
/// mounts (<c>nginx/nginx.conf</c>), deployed with <c>docker stack deploy -c ... buzztalk</c>.
/// </summary>
public static class StackFileGenerator
{
    public const string StackPath = "stack/docker-stack.yml";

    /// <summary>The edge's config: installed into <see cref="InstanceEdge.DirectoryVariable"/> and reloaded, never a task replacement.</summary>
    public const string NginxPath = "nginx/nginx.conf";

    /// <summary>The SPA's static nginx config, a swarm config of the frontend service.</summary>
    public const string SpaPath = "nginx/spa.conf";
    public const string NetworkName = "node-net";

    /// <summary>Host directory of the env files the Deployer writes (mode 0600); overridable for tests.</summary>
    public const string EnvDirectoryVariable = "BUZZTALK_ENV_DIR";
    public const string DefaultEnvDirectory = "/etc/buzztalk/env";

    // Swarm's embedded DNS inside every container on an overlay network.
    public const string SwarmDns = "127.0.0.11";

    public static IReadOnlyList<BundleFile> Generate(PublishSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        var nginx = NginxConfigGenerator.Generate(ProductionSite(settings));
        var spa = NginxConfigGenerator.GenerateStatic(Port(settings.SiteService.Port), NginxConfigGenerator.ImageSpaRoot);
        var early = StartOrder(settings.Services);
        var files = new List<BundleFile> { new(NginxPath, nginx), new(SpaPath, spa), new(StackPath, Stack(settings, spa, early, wave: null)) };
        for (var k = 1; k <= early.Count; k++)
        {
            var upTo = early.Take(k).SelectMany(w => w.Services).ToHashSet(StringComparer.Ordinal);
            var subset = settings with { Services = [.. settings.Services.Where(service => upTo.Contains(service.Name))] };
            files.Add(new BundleFile(early[k - 1].File, Stack(subset, spa, [], wave: k)));
        }

        return files;
    }

    /// <summary>
    /// The waves deployed before the whole stack, each with its file: every start wave but the
    /// last, which is the whole stack, docker-stack.yml itself. Empty when nobody waits.
    /// </summary>
    public static List<(string File, IReadOnlyList<string> Services)> StartOrder(IReadOnlyList<SwarmServiceSpec> services)
    {
        var waves = StartWaves(services);
        return [.. waves.Take(waves.Count - 1).Select((wave, i) => (StartWavePath(i + 1), wave))];
    }

    /// <summary>The stack file of start wave <paramref name="wave"/> (1-based): the app services of waves 1..k.</summary>
    private static string StartWavePath(int wave) => $"stack/start-{wave.ToString(CultureInfo.InvariantCulture)}.yml";

    /// <summary>
    /// The app services in start waves by their <see cref="SwarmServiceSpec.WaitFor"/>: the first
    /// wave waits for nobody, each later one only for services of earlier waves. Swarm starts a
    /// stack's services all at once, so the Deployer and the boot script deploy the waves in turn.
    /// One wave when nobody waits; a cycle, or a wait for a service the stack does not have, throws.
    /// </summary>
    private static List<IReadOnlyList<string>> StartWaves(IReadOnlyList<SwarmServiceSpec> services)
    {
        ArgumentNullException.ThrowIfNull(services);
        var names = services.Select(s => s.Name).ToHashSet(StringComparer.Ordinal);
        if (services.SelectMany(s => s.WaitFor.Where(w => !names.Contains(w)).Select(w => (s.Name, w))).FirstOrDefault() is ({ } waiter, { } missing))
        {
            throw new InvalidOperationException($"Service '{waiter}' waits for '{missing}', which is not a service of the stack.");
        }

        var waves = new List<IReadOnlyList<string>>();
        var started = new HashSet<string>(StringComparer.Ordinal);
        var remaining = services.ToList();
        while (remaining.Count > 0)
        {
            var wave = remaining.Where(s => s.WaitFor.All(started.Contains)).ToList();
            if (wave.Count == 0)
            {
                throw new InvalidOperationException(
                    $"The services' WaitFor form a cycle, so they cannot be started in order: {string.Join(", ", remaining.Select(s => s.Name))}.");
            }

            waves.Add([.. wave.Select(s => s.Name)]);
            started.UnionWith(wave.Select(s => s.Name));
            remaining.RemoveAll(wave.Contains);
        }

        return waves;
    }

    /// <summary>
    /// The edge's nginx on an instance: it owns the published port and proxies the SPA, the
    /// backends and every other routed service, all found through swarm DNS on every request.
    /// </summary>
    public static NginxSite ProductionSite(PublishSettings settings) => new()
    {
        Listen = Port(settings.FrontendPort),
        Frontend = $"{settings.SiteService.Name}:{Port(settings.SiteService.Port)}",
        Backends = [$"{settings.BackendService.Name}:{Port(settings.BackendService.Port)}"],
        Routes = [.. settings.Services.Where(s => s.Edge == EdgeRoute.Prefix).Select(s => new NginxRoute(s.EdgePath!, $"{s.Name}:{Port(s.Port)}"))],
        Resolver = SwarmDns,
        DrainFile = $"{ContainerRunDirectory}/{DrainFileName}",
        DrainedHealthPath = settings.BackendHealthPath,
    };

    /// <summary>Host directory of the drain flag, mounted read-only into the frontend; the stack reads it from this variable.</summary>
    public const string RunDirectoryVariable = "BUZZTALK_RUN_DIR";

    public const string DefaultRunDirectory = "/run/buzztalk";

    /// <summary>Written by the shutdown script when the instance is leaving; the frontend then fails its health path.</summary>
    public const string DrainFileName = "draining";

    private const string ContainerRunDirectory = "/run/buzztalk";

    private static string Stack(PublishSettings s, string spaConfig, List<(string File, IReadOnlyList<string> Services)> startOrder, int? wave)
    {
        // Swarm configs are immutable: a name carrying the content hash makes a changed config a
        // new config, which the frontend's update then swaps in, start-first.
        var configName = $"{s.Name}_nginx_{Hash(spaConfig)}";
        _ = s.AppPorts; // refuses ports two services (or a service and the edge) would both hold
        var root = Map(
            ("version", Str("3.8")),
            ("x-buzztalk", Map(("stack", Str(s.Name)), ("env-files", EnvFiles(s)),
                ("probes", Map(("mysql", Str(s.Probes.MySql)), ("redis", Str(s.Probes.Redis)))),
                // What the Deployer's health gate asks through the edge after a deploy.
                (Deployer.Bundle.StackExtension.HealthKey, Str(s.BackendHealthPath)),
                ("start-order", startOrder.Count == 0 ? null : SeqOf(startOrder.Select(w => (YamlNode)Map(
                    ("file", Str(w.File)),
                    ("services", StrSeq([.. w.Services])))))))),
            ("services", Map([
                (InstanceEdge.Service, Edge(s)),
                .. s.Services.Select(service => (service.Name, (YamlNode?)Service(service, service.Edge == EdgeRoute.Site ? spaConfig : null))),
                ("node-exporter", NodeExporter(s)),
                ("cadvisor", Cadvisor(s))])),
            ("networks", Map((NetworkName, Map(
                ("driver", Str("overlay")),
                ("attachable", Bool(true)))))),
            ("configs", Map(("nginx_conf", Map(
                ("name", Str(configName)),
                ("file", Str("../" + SpaPath)))))));
        return Write(root,
            "Generated by BuzzTalk publish from the app model. Do not edit: republish.",
            wave is { } k
                ? $"Start wave {k.ToString(CultureInfo.InvariantCulture)}: deployed before {StackPath} (without --prune) by the Deployer and the boot script."
                : $"Deploy: docker stack deploy --with-registry-auth -c {StackPath} {s.Name}",
            $"Env files come from ${{{EnvDirectoryVariable}:-{DefaultEnvDirectory}}} (written by the Deployer, mode 0600).");
    }

    /// <summary>
    /// After SIGTERM a backend closes its websockets (1001), refuses new ones and serves HTTP this
    /// long before it stops (samples/chat-backend/rooms/going_away.py), and the SPA's nginx serves
    /// this long: well past the time the edge keeps the DNS answer that may still name the task
    /// (<see cref="NginxConfigGenerator.ResolverValidSeconds"/>), with room for requests in flight,
    /// and well inside docker's 10 s stop grace period.
    /// </summary>
    public const int BackendDrainSeconds = 6;

    public const string BackendDrainVariable = "BUZZTALK_TERM_DRAIN_SECONDS";

    /// <summary>
    /// The replicas that succeed one another (samples/chat-backend/rooms/succession.py): the
    /// node and the stack's service, so instances and stacks sharing a Redis stay apart.
    /// </summary>
    public const string BackendScopeVariable = "BUZZTALK_SCOPE";

    /// <summary>
    /// An app service from the model: its image (tag overridable at deploy time), the environment
    /// known when publishing, its env file for the rest, its health check, replicas and limits.
    /// The edge reaches each task directly through DNS round robin, so every update starts the new
    /// task first; a service that publishes a host port (an external non-HTTP endpoint) stops the
    /// old task first instead, as the edge does, since one task at a time holds the port. The
    /// site's service also carries the SPA's nginx config and serves through the edge's DNS
    /// validity after SIGTERM.
    /// </summary>
    private static YamlMappingNode Service(SwarmServiceSpec service, string? spaConfig) => Map(
        ("image", Str(Image(service.Image, service.TagVariable))),
        ("entrypoint", service.Entrypoint is { } entrypoint ? StrSeq(Interpolated(entrypoint)) : null),
        ("command", spaConfig is not null
            ? StrSeq("sh", "-c", $"nginx -g 'daemon off;' & trap 'sleep {BackendDrainSeconds.ToString(CultureInfo.InvariantCulture)}; nginx -s quit' TERM; wait $$!; wait $$!")
            : service.Command is { } command ? StrSeq([.. command.Select(Interpolated)]) : null),
        ("env_file", service.EnvFileKeys.Count + service.OptionalEnvFileKeys.Count == 0 ? null
            : Seq(Str($"${{{EnvDirectoryVariable}:-{DefaultEnvDirectory}}}/{service.EnvFileName}"))),
        ("environment", service.Environment.Count == 0 ? null
            : Map([.. service.Environment.Select(e => (e.Key, (YamlNode?)Str(Interpolated(e.Value))))])),
        ("networks", Seq(Str(NetworkName))),
        ("ports", service.PublishedPorts.Count == 0 ? null : SeqOf(service.PublishedPorts.Select(p => HostPort(p.Target, p.Published, p.Protocol)))),
        ("configs", spaConfig is null ? null : Seq(Map(
            ("source", Str("nginx_conf")),
            ("target", Str("/etc/nginx/nginx.conf")),
            ("mode", Plain("0444"))))),
        ("healthcheck", service.HealthPath is not { } path ? null : HealthCheck(service.Probe == HealthProbe.BashTcp
                ? ["CMD", "bash", "-c", BashProbe(service.Port, path)]
                : ["CMD", "wget", "-q", "-O", "-", $"http://127.0.0.1:{Port(service.Port)}{path}"],
            startPeriod: Seconds(service.HealthStartPeriod))),
        ("deploy", Deploy(service.Limits, replicas: service.Replicas, global: false, startFirst: service.PublishedPorts.Count == 0, endpointMode: "dnsrr")));

    /// <summary>
    /// Which variables each service's env file must (and may) hold: the Deployer renders exactly
    /// these from the operator's .env, and refuses a .env that lacks a required one.
    /// </summary>
    private static YamlMappingNode EnvFiles(PublishSettings s) => Map([.. s.Services
        .Where(service => service.EnvFileKeys.Count + service.OptionalEnvFileKeys.Count > 0)
        .Select(service => (service.Name, (YamlNode?)Map(
            ("required", service.EnvFileKeys.Count == 0 ? null : StrSeq([.. service.EnvFileKeys])),
            ("optional", service.OptionalEnvFileKeys.Count == 0 ? null : StrSeq([.. service.OptionalEnvFileKeys])))))]);

    /// <summary>
    /// The one process that owns the published port. Its image is pinned (no tag variable) and its
    /// config is a host file changed by a reload, so deploys of the SPA, the backends or the
    /// config itself never replace it. A host-mode port is held by one task at a time, so a change
    /// of its image or limits stops the old task first: a short outage, kept for edge upgrades.
    /// </summary>
    private static YamlMappingNode Edge(PublishSettings s) => Map(
        ("image", Str(s.EdgeImage.ToString())),
        ("command", StrSeq("nginx", "-c", $"{InstanceEdge.ContainerDirectory}/{InstanceEdge.ConfigFile}", "-g", "daemon off;")),
        ("networks", Seq(Str(NetworkName))),
        ("ports", Seq(HostPort(s.FrontendPort, s.FrontendPort))),
        ("volumes", StrSeq(
            // The running release's nginx/nginx.conf, installed there by the Deployer or the instance script.
            $"${{{InstanceEdge.DirectoryVariable}:-{s.InstanceBundleDirectory}/edge}}:{InstanceEdge.ContainerDirectory}:ro",
            $"${{{RunDirectoryVariable}:-{DefaultRunDirectory}}}:{ContainerRunDirectory}:ro")),
        ("healthcheck", HealthCheck(
            ["CMD", "wget", "-q", "-O", "-", $"http://127.0.0.1:{Port(s.FrontendPort)}{NginxConfigGenerator.HealthPath}"],
            startPeriod: "10s")),
        ("deploy", Deploy(s.Edge, replicas: 1, global: false, startFirst: false, endpointMode: "dnsrr")));

    private static YamlMappingNode NodeExporter(PublishSettings s) => Map(
        ("image", Str(s.NodeExporterImage.ToString())),
        ("command", StrSeq("--path.procfs=/host/proc", "--path.sysfs=/host/sys", "--path.rootfs=/rootfs",
            $"--web.listen-address=:{Port(s.NodeExporterPort)}",
            "--collector.filesystem.mount-points-exclude=^/(sys|proc|dev|host|etc)($$|/)")),
        ("volumes", StrSeq("/proc:/host/proc:ro", "/sys:/host/sys:ro", "/:/rootfs:ro")),
        ("networks", Seq(Str(NetworkName))),
        ("ports", Seq(HostPort(s.NodeExporterPort, s.NodeExporterPort))),
        ("deploy", Deploy(s.NodeExporter, replicas: null, global: true, startFirst: false, endpointMode: "dnsrr")));

    private static YamlMappingNode Cadvisor(PublishSettings s) => Map(
        ("image", Str(s.CadvisorImage.ToString())),
        ("command", StrSeq($"--port={Port(s.CadvisorPort)}", "--docker_only=true", "--housekeeping_interval=15s",
            "--store_container_labels=false", "--whitelisted_container_labels=com.docker.swarm.service.name,com.docker.swarm.task.name")),
        ("volumes", StrSeq("/:/rootfs:ro", "/var/run:/var/run:ro", "/sys:/sys:ro", "/var/lib/docker/:/var/lib/docker:ro", "/dev/disk/:/dev/disk:ro")),
        ("networks", Seq(Str(NetworkName))),
        ("ports", Seq(HostPort(s.CadvisorPort, s.CadvisorPort))),
        ("deploy", Deploy(s.Cadvisor, replicas: null, global: true, startFirst: false, endpointMode: "dnsrr")));

    private static YamlMappingNode Deploy(ServiceLimits r, int? replicas, bool global, bool startFirst, string endpointMode) => Map(
        ("mode", Str(global ? "global" : "replicated")),
        ("replicas", replicas is { } n ? Num(n) : null),
        ("endpoint_mode", Str(endpointMode)),
        ("resources", Map(
            ("limits", Map(("cpus", Str(r.LimitCpus)), ("memory", Str(r.LimitMemory)))),
            ("reservations", Map(("cpus", Str(r.ReserveCpus)), ("memory", Str(r.ReserveMemory)))))),
        // The seed's restart policy: 30 s apart, at most 15 attempts.
        ("restart_policy", Map(
            ("condition", Str("any")),
            ("delay", Str("30s")),
            ("max_attempts", Num(15)),
            ("window", Str("120s")))),
        ("update_config", Update(startFirst, "rollback")),
        ("rollback_config", Update(startFirst, "pause")));

    private static YamlMappingNode Update(bool startFirst, string failureAction) => Map(
        ("parallelism", Num(1)),
        ("delay", Str("5s")),
        ("order", Str(startFirst ? "start-first" : "stop-first")),
        ("failure_action", Str(failureAction)),
        // A task must stay healthy this long before the update counts it as done.
        ("monitor", Str("30s")),
        ("max_failure_ratio", Num(0)));

    /// <summary>
    /// The backend's container health check: one HTTP/1.0 GET of the health path over bash's
    /// <c>/dev/tcp</c>, passing on a 200 status line. A python probe costs ~90 ms of CPU to start;
    /// under a 0.06-CPU limit and load that is seconds, so loaded replicas failed their checks and
    /// were killed, which loaded the rest more. bash costs ~7 ms. <c>$$</c> is a literal <c>$</c>
    /// after the stack file's interpolation.
    /// </summary>
    public static string BashProbe(int port, string path) =>
        $"exec 3<>/dev/tcp/127.0.0.1/{Port(port)} || exit 1; " +
        $"printf 'GET {path} HTTP/1.0\\r\\nHost: 127.0.0.1\\r\\n\\r\\n' >&3 || exit 1; " +
        "IFS= read -r -t 4 line <&3 || exit 1; " +
        "case $$line in 'HTTP/1.'?' 200 '*) exit 0 ;; *) exit 1 ;; esac";

    private static YamlMappingNode HealthCheck(string[] test, string startPeriod) => Map(
        ("test", StrSeq(test)),
        ("interval", Str("10s")),
        ("timeout", Str("5s")),
        ("retries", Num(3)),
        ("start_period", Str(startPeriod)));

    private static YamlMappingNode HostPort(int target, int published, string protocol = "tcp") => Map(
        ("target", Num(target)),
        ("published", Num(published)),
        ("protocol", Str(protocol)),
        ("mode", Str("host")));

    private static string Image(ContainerImage image, string tagVariable) => $"{image.Image}:${{{tagVariable}:-{image.Tag}}}";

    private static string Port(int port) => port.ToString(CultureInfo.InvariantCulture);

    /// <summary>A literal from the model as docker's interpolation of the stack file reads it back: '$' is written '$$'.</summary>
    private static string Interpolated(string literal) => literal.Replace("$", "$$", StringComparison.Ordinal);

    private static string Seconds(TimeSpan span) => Port((int)span.TotalSeconds) + "s";

    private static string Hash(string text) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)))[..12];
}
