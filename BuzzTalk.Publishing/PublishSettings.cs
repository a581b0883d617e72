
namespace BuzzTalk.Publishing;

/// <summary>
/// Everything the bundle generators read. Built from the app model and the <c>BuzzTalk:Publish</c>
/// section; holds no secret values, only the names and paths where the hosts keep them.
/// </summary>
public sealed record PublishSettings
{
    /// <summary>Prefix of every cloud resource and of the swarm stack.</summary>
    public string Name { get; init; } = "buzztalk";

    /// <summary>Public URL of the site (the backend's <c>FRONT</c>), e.g. <c>http://203.0.113.10</c>.</summary>
    public required string PublicUrl { get; init; }

    /// <summary>The app's services, read from the app model by the spot fleet's publisher.</summary>
    public required IReadOnlyList<SwarmServiceSpec> Services { get; init; }

    /// <summary>
    /// The connection names Discovery probes the app's MySQL and Redis by (<c>/probe/mysql/{name}</c>,
    /// <c>/probe/redis/{name}</c>): the names of the resources it references in the app model.
    /// </summary>
    public required Deployer.Bundle.ProbedConnections Probes { get; init; }

    /// <summary>These settings with one service changed.</summary>
    public PublishSettings WithService(string name, Func<SwarmServiceSpec, SwarmServiceSpec> change)
    {
        ArgumentNullException.ThrowIfNull(change);
        if (!Services.Any(s => s.Name == name))
        {
            throw new ArgumentException($"No published service is named '{name}'.", nameof(name));
        }

        return this with { Services = [.. Services.Select(s => s.Name == name ? change(s) : s)] };
    }

    /// <summary>The service that serves the site (<c>/</c>): the SPA behind each instance's edge.</summary>
    public SwarmServiceSpec SiteService => Services.Single(s => s.Edge == EdgeRoute.Site);

    /// <summary>The chat backend (<c>/backend/</c>, <c>/ws/</c>): the service the Scaler scales.</summary>
    public SwarmServiceSpec BackendService => Services.SingleOrDefault(s => s.Edge == EdgeRoute.Backend)
        ?? throw new InvalidOperationException("The app model publishes no chat backend (EdgeRoute.Backend).");

    /// <summary>
    /// The host ports the app's services publish on each instance (the firewall opens them to the
    /// world); refused when two claim one port, or one claims the edge's, an exporter's or SSH's.
    /// </summary>
    public IReadOnlyList<PublishedPort> AppPorts
    {
        get
        {
            var ports = Services.SelectMany(s => s.PublishedPorts).ToList();
            var taken = new Dictionary<int, string>
            {
                [22] = "SSH",
                [FrontendPort] = "the edge",
                [NodeExporterPort] = "node-exporter",
                [CadvisorPort] = "cadvisor",
            };
            foreach (var service in Services)
            {
                foreach (var port in service.PublishedPorts)
                {
                    if (port.Published is < 1 or > 65535 || !taken.TryAdd(port.Published, service.Name))
                    {
                        throw new InvalidOperationException(
                            $"Service '{service.Name}' cannot publish host port {port.Published}: " +
                            (taken.TryGetValue(port.Published, out var owner) ? $"{owner} has it." : "not a port."));
                    }
                }
            }

            return ports;
        }
    }

    /// <summary>
    /// The backend's health path as the edge serves it (<c>/backend/health</c>): the backend's
    /// edge prefix and its <c>WithHealthPath</c>. The load balancer's and autohealing's check, the
    /// path the drain flag fails, and the Deployer's health gate (<c>x-buzztalk: health</c>).
    /// </summary>
    public string BackendHealthPath => Nginx.NginxConfigGenerator.BackendPrefix + (BackendService.HealthPath
        ?? throw new InvalidOperationException($"The chat backend '{BackendService.Name}' has no health path: declare it with WithHealthPath(path)."));

    /// <summary>The edge's nginx: pinned, changed rarely (a change stops the old edge first).</summary>
    public ContainerImage EdgeImage { get; init; } = DefaultEdgeImage;

    public ContainerImage NodeExporterImage { get; init; } = DefaultNodeExporterImage;

    public ContainerImage CadvisorImage { get; init; } = DefaultCadvisorImage;

    /// <summary>The edge's nginx, pinned: the stack never replaces it on a deploy of the app.</summary>
    public static ContainerImage DefaultEdgeImage => new("docker.io/library/nginx", "1.27-alpine");

    public static ContainerImage DefaultNodeExporterImage => new("quay.io/prometheus/node-exporter", "v1.8.2");

    public static ContainerImage DefaultCadvisorImage => new("gcr.io/cadvisor/cadvisor", "v0.49.1");

    /// <summary>The edge does what the seed's frontend nginx did (proxy and websockets): its limits.</summary>
    public ServiceLimits Edge { get; init; } = ServiceLimits.SeedFrontend;

    public ServiceLimits NodeExporter { get; init; } = ServiceLimits.SeedNodeExporter;

    public ServiceLimits Cadvisor { get; init; } = ServiceLimits.SeedCadvisor;

    public int FrontendPort { get; init; } = 80;

    public int NodeExporterPort { get; init; } = 9100;

    public int CadvisorPort { get; init; } = 8080;

    /// <summary>Where instances and the ops host keep secret files (mode 0600, written by the Deployer).</summary>
    public string SecretsDirectory { get; init; } = "/etc/buzztalk/secrets";

    /// <summary>Where an instance unpacks the bundle.</summary>
    public string InstanceBundleDirectory { get; init; } = "/opt/buzztalk";

    public OpsHostSettings OpsHost { get; init; } = new();

    public CloudSettings Cloud { get; init; } = new();
}
