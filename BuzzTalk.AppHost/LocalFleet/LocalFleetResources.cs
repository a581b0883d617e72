using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using BuzzTalk.AppHost.Configuration;
using BuzzTalk.AppHost.Resources;
using BuzzTalk.Publishing;
using BuzzTalk.Publishing.Monitoring;
using BuzzTalk.Publishing.SpotFleet;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace BuzzTalk.AppHost.LocalFleet;

/// <summary>
/// <c>BuzzTalk:Fleet=local</c>: this machine's swarm as a one-instance spot group. sshd on loopback
/// stands for the instance's SSH, Discovery lists it from its static provider, the Scaler and the
/// Deployer reach it with a key and a pinned host key, and Prometheus and Alertmanager run the
/// bundle's own monitoring config. Only inventory, credentials and paths differ from the cloud.
/// </summary>
public static class LocalFleetResources
{
    public const string Ssh = "fleet-ssh";
    public const string Prometheus = "prometheus";
    public const string Alertmanager = "alertmanager";
    public const string Demo = "demo";

    public static void AddBuzzTalkLocalFleet(this StackContext stack, LocalFleetLayout fleet, SpotFleetResource spotFleet,
        IResourceBuilder<IResourceWithEndpoints> mysql, IResourceBuilder<IResourceWithEndpoints> redis, ControlServices services)
    {
        var builder = stack.Builder;
        var options = stack.Options;
        // Names and paths; the app's services are read from the finished model at start.
        var settings = fleet.PublishSettings(options, []);

        // The bundle, composed by the publish step's own code from the model and this machine's settings.
        builder.Eventing.Subscribe<BeforeStartEvent>(async (e, ct) =>
        {
            fleet.Prepare();
            settings = settings with { Services = await SwarmServiceDescriber.DescribeAsync(spotFleet, e.Model.Resources, fleet.PublicUrl, ct).ConfigureAwait(false) };
            await BundleWriter.WriteAsync(fleet.BundleDirectory, BundleComposer.Compose(settings), ct).ConfigureAwait(false);
        });

        var sshHealth = $"{Ssh}-banner";
        builder.Services.AddHealthChecks().Add(new HealthCheckRegistration(sshHealth, _ => new SshBannerHealthCheck(fleet.SshPort), null, null));
        var sshd = builder.AddExecutable(Ssh, Runtime.HostTools.Locate("sshd") ?? "/usr/sbin/sshd", fleet.SshDirectory, "-D", "-e", "-f", fleet.SshdConfigFile)
            .WithEndpoint(name: "ssh", port: fleet.SshPort, scheme: "tcp", isProxied: false)
            .WithHealthCheck(sshHealth);

        var instance = fleet.Options.InstanceName;
        services.Discovery
            .WithEnvironment("Discovery__Provider", "Static")
            .WithEnvironment("Discovery__RefreshInterval", "00:00:05")
            .WithEnvironment("Discovery__Instances__0__Name", instance)
            .WithEnvironment("Discovery__Instances__0__Id", "1")
            .WithEnvironment("Discovery__Instances__0__PublicIp", "127.0.0.1")
            .WithEnvironment("Discovery__Instances__0__PrivateIp", () => fleet.HostAddress)
            .WithEnvironment("Discovery__Instances__0__Zone", "local")
            .WithEnvironment("Discovery__Instances__0__ProjectId", "local")
            .WithEnvironment("Discovery__Instances__0__ManagedGroup", settings.Name + "-local")
            .WithEnvironment("Discovery__Instances__0__ProvisioningModel", "spot")
            .WithEnvironment($"Discovery__JobPorts__{MonitoringDefaults.NodeExporterJob}", Invariant(fleet.NodeExporterPort))
            .WithEnvironment($"Discovery__JobPorts__{MonitoringDefaults.CadvisorJob}", Invariant(fleet.CadvisorPort));

        // The instance's SSH and lease, the same for the Scaler and the Deployer.
        (string Key, string Value)[] access =
        [
            ("Ssh:User", fleet.SshUser),
            ("Ssh:Port", Invariant(fleet.SshPort)),
            ("Ssh:PrivateKeyFile", fleet.PrivateKeyFile),
            ("Ssh:KnownHostsFile", fleet.KnownHostsFile),
            ("LeaseDirectory", fleet.InstanceLeaseDirectory),
        ];
        foreach (var (service, section) in new[] { (services.Scaler, "Scaler"), (services.Deployer, "Deployer") })
        {
            foreach (var (key, value) in access)
            {
                service.WithEnvironment($"{section}__{key.Replace(":", "__", StringComparison.Ordinal)}", value);
            }

            service.WaitFor(sshd);
        }

        var local = fleet.Options;
        services.Scaler
            .WithEnvironment("Scaler__Evaluator__Interval", Span(local.EvaluatorInterval))
            .WithEnvironment("Scaler__Evaluator__Window", Span(local.EvaluatorWindow))
            .WithEnvironment("Scaler__TargetTracking__ScaleUpStabilization", Span(local.ScaleUpStabilization))
            .WithEnvironment("Scaler__TargetTracking__ScaleDownStabilization", Span(local.ScaleDownStabilization))
            .WithEnvironment("Scaler__Cooldown", Span(local.Cooldown))
            .WithEnvironment(context =>
            {
                // The backend's swarm service is named from the model, read at start (above).
                var backend = ScalingRules.BackendService(settings);
                context.EnvironmentVariables[$"Scaler__Services__{backend}__Min"] = "1";
                context.EnvironmentVariables[$"Scaler__Services__{backend}__Max"] = Invariant(local.BackendMaxReplicas);
            })
            .WithEnvironment("Scaler__AuditFile", Path.Combine(fleet.Root, "scaler-decisions.jsonl"));

        (string Key, string Value)[] deploy =
        [
            ("Bundle", fleet.BundleDirectory),
            ("EnvFile", fleet.EnvFile),
            ("RemoteRoot", fleet.InstanceRoot),
            ("EnvDirectory", fleet.InstanceEnvDirectory),
            // The instance's edge; the health path comes from the bundle (x-buzztalk: health).
            ("Health:Origin", fleet.PublicUrl),
        ];
        foreach (var (key, value) in deploy)
        {
            services.Deployer.WithEnvironment($"Deployer__{key.Replace(":", "__", StringComparison.Ordinal)}", value);
        }

        services.Deployer.WaitFor(mysql).WaitFor(redis);
        // The operator's .env, as an operator would write it for a cloud instance: the database and
        // Redis at the address the instance's containers reach. Written when the ports are known,
        // with the Deployer's settings for `aspire deploy -- --BuzzTalk:Fleet=local` beside it.
        services.Deployer.OnBeforeResourceStarted(async (_, e, ct) =>
        {
            StateDirectory.WritePrivateFile(fleet.EnvFile, await EnvFileAsync(stack, fleet, settings, e.Services, ct).ConfigureAwait(false));
            var inventory = $"{await services.Discovery.GetEndpoint("http").GetValueAsync(ct).ConfigureAwait(false)}/sd/targets";
            StateDirectory.WritePrivateFile(fleet.DeployerSettingsFile, DeployerSettingsJson([.. access, .. deploy, ("DiscoveryUrl", inventory)]));
        });

        var prometheusData = stack.State.Directory("prometheus");
        var prometheus = builder.AddMonitoringServer(Prometheus, "prometheus", fleet.Root, fleet.PrometheusPort,
                $"--config.file={Path.Combine(fleet.BundleDirectory, MonitoringGenerator.PrometheusConfigPath)}",
                $"--storage.tsdb.path={prometheusData}",
                "--storage.tsdb.retention.time=2d")
            .WaitFor(services.Discovery);

        var alertmanagerData = stack.State.Directory("alertmanager");
        var alertmanager = builder.AddMonitoringServer(Alertmanager, "prometheus-alertmanager", fleet.Root, fleet.AlertmanagerPort,
                $"--config.file={Path.Combine(fleet.BundleDirectory, MonitoringGenerator.AlertmanagerConfigPath)}",
                $"--storage.path={alertmanagerData}",
                // One Alertmanager, no gossip port.
                "--cluster.listen-address=")
            .WaitFor(services.Scaler);
        // What systemd's LoadCredential= gives the unit on the ops host.
        alertmanager.OnBeforeResourceStarted(async (_, _, ct) =>
        {
            var password = await stack.Parameters.ScalerWebhookPassword.Resource.GetValueAsync(ct).ConfigureAwait(false) ?? "";
            var file = AlertmanagerConfig.PasswordFile(settings, AlertmanagerConfig.Unit);
            Directory.CreateDirectory(Path.GetDirectoryName(file)!);
            StateDirectory.WritePrivateFile(file, password);
        });
        prometheus.WaitFor(alertmanager);

        if (local.Demo != DemoMode.Off)
        {
            // The published services are read at start: the demo asks for them when it starts.
            stack.AddBuzzTalkDemo(fleet, () => settings, services, prometheus, alertmanager);
        }
    }

    private static void AddBuzzTalkDemo(this StackContext stack, LocalFleetLayout fleet, Func<PublishSettings> settings, ControlServices services,
        IResourceBuilder<ExecutableResource> prometheus, IResourceBuilder<ExecutableResource> alertmanager)
    {
        var local = fleet.Options;
        var image = stack.Options.Images.Backend;
        var demo = stack.Builder.AddProject<Projects.BuzzTalk_Demo>(Demo, launchProfileName: null)
            .WithPlainHttp()
            .WithEnvironment("Demo__SiteUrl", fleet.PublicUrl)
            .WithEnvironment("Demo__DeployerUrl", services.Deployer.GetEndpoint("http"))
            .WithEnvironment("Demo__DeployerUser", ControlServiceResources.DeployerApiUser)
            .WithEnvironment("Demo__DeployerPassword", stack.Parameters.DeployerApiPassword)
            .WithEnvironment("Demo__ScalerUrl", services.Scaler.GetEndpoint("http"))
            .WithEnvironment("Demo__ScalerUser", BuzzTalk.Deployer.Env.EnvRenderer.DefaultWebhookUser)
            .WithEnvironment("Demo__ScalerPassword", stack.Parameters.ScalerWebhookPassword)
            .WithEnvironment("Demo__PrometheusUrl", prometheus.GetEndpoint("http"))
            .WithEnvironment("Demo__Instance", local.InstanceName)
            .WithEnvironment(context =>
            {
                context.EnvironmentVariables["Demo__BackendService"] = ScalingRules.BackendService(settings());
                context.EnvironmentVariables["Demo__BackendHealthPath"] = settings().BackendHealthPath;
            })
            .WithEnvironment("Demo__NextBackendTag", local.NextBackendTag is { Length: > 0 } next ? next : image.Tag + "-v2")
            .WithEnvironment("Demo__BrokenBackendTag", local.BrokenBackendTag is { Length: > 0 } broken ? broken : image.Tag + "-broken")
            .WithEnvironment("Demo__MaxBackendReplicas", Invariant(local.BackendMaxReplicas))
            .WithEnvironment("Demo__LoadLimit", Span(local.DemoLoadLimit))
            // The Scaler removes one replica per decision, each after its own stabilization window.
            .WithEnvironment("Demo__ScaleDownLimit", Span((local.ScaleDownStabilization + local.EvaluatorWindow + local.Cooldown) * (local.BackendMaxReplicas - 1)
                + TimeSpan.FromMinutes(1)))
            .WithEnvironment("Demo__SummaryFile", Path.Combine(fleet.Root, "demo-summary.json"))
            .WaitFor(services.Deployer)
            .WaitFor(services.Scaler)
            .WaitFor(prometheus)
            .WaitFor(alertmanager);
        if (local.Demo == DemoMode.Manual)
        {
            demo.WithExplicitStart();
        }
    }

    /// <summary>
    /// The operator's .env for this machine's fleet: each published service's env-file variables
    /// with this run's values, the data services at the address the fleet's containers reach
    /// (their real ports on the swarm gateway, not the proxies on loopback), and the ops host's secret.
    /// </summary>
    private static async Task<string> EnvFileAsync(StackContext stack, LocalFleetLayout fleet, PublishSettings settings, IServiceProvider services,
        CancellationToken ct)
    {
        var context = services.GetRequiredService<DistributedApplicationExecutionContext>();
        var model = services.GetRequiredService<DistributedApplicationModel>();
        async Task<string> Endpoint(EndpointReference endpoint, EndpointProperty property, CancellationToken token)
        {
            var port = await endpoint.Property(EndpointProperty.TargetPort).GetValueAsync(token).ConfigureAwait(false) ?? "";
            return SwarmServiceDescriber.EndpointValue(property, endpoint.Scheme, fleet.HostAddress, port);
        }

        var values = new SortedDictionary<string, string>(StringComparer.Ordinal)
        {
            ["SCALER_WEBHOOK_PASSWORD"] = await stack.Parameters.ScalerWebhookPassword.Resource.GetValueAsync(ct).ConfigureAwait(false) ?? "",
        };
        foreach (var service in settings.Services)
        {
            var resource = model.Resources.Single(r => r.Name == service.Name);
            foreach (var (key, value) in await SwarmServiceDescriber.EnvFileValuesAsync(resource, service, context, Endpoint, ct).ConfigureAwait(false))
            {
                if (values.TryGetValue(key, out var other) && other != value)
                {
                    // One .env feeds every service's env file: a name must mean one value.
                    throw new InvalidOperationException($"Two published services read {key} with different values.");
                }

                values[key] = value;
            }
        }

        var env = new StringBuilder("# Written by the AppHost for BuzzTalk:Fleet=local at every start.\n");
        foreach (var (key, value) in values)
        {
            // Double quotes with the .env escapes, so any password survives.
            env.Append(key).Append("=\"").Append(value.Replace("\\", "\\\\", StringComparison.Ordinal)
                .Replace("\"", "\\\"", StringComparison.Ordinal).Replace("\n", "\\n", StringComparison.Ordinal)).Append("\"\n");
        }

        return env.ToString();
    }

    /// <summary>Settings as the Deployer's <c>--config</c> file reads them: <c>{"Deployer": {...}}</c>, nested at each ':'.</summary>
    private static string DeployerSettingsJson(IEnumerable<(string Key, string Value)> settings)
    {
        var root = new JsonObject();
        var section = new JsonObject();
        root["Deployer"] = section;
        foreach (var (key, value) in settings)
        {
            var parts = key.Split(':');
            var node = section;
            foreach (var part in parts[..^1])
            {
                node = node[part] as JsonObject ?? (JsonObject)(node[part] = new JsonObject());
            }

            node[parts[^1]] = value;
        }

        return root.ToJsonString(new JsonSerializerOptions { WriteIndented = true }) + "\n";
    }

    /// <summary>A Prometheus-family server from Debian's packages on a fixed loopback port, ready when <c>/-/ready</c> says so.</summary>
    private static IResourceBuilder<ExecutableResource> AddMonitoringServer(this IDistributedApplicationBuilder builder, string name, string binary,
        string workingDirectory, int port, params string[] args) =>
        builder.AddExecutable(name, Runtime.HostTools.Locate(binary) ?? binary, workingDirectory, [.. args, $"--web.listen-address=127.0.0.1:{Invariant(port)}"])
            .WithHttpEndpoint(name: "http", port: port, isProxied: false)
            .WithHttpHealthCheck("/-/ready", endpointName: "http");

    /// <summary>A number as configuration text: ports and replica counts alike.</summary>
    private static string Invariant(int value) => value.ToString(CultureInfo.InvariantCulture);

    private static string Span(TimeSpan value) => value.ToString("c", CultureInfo.InvariantCulture);
}
