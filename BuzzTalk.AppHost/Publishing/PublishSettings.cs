using BuzzTalk.AppHost.Configuration;

namespace BuzzTalk.AppHost.Publishing;

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

    public ContainerImage BackendImage { get; init; } = new("ghcr.io/buzz-talk/buzz-talk-backend", "latest");

    public ContainerImage FrontendImage { get; init; } = new("ghcr.io/buzz-talk/buzz-talk-frontend", "latest");

    /// <summary>The edge's nginx: pinned, changed rarely (a change stops the old edge first).</summary>
    public ContainerImage EdgeImage { get; init; } = new ImageOptions().Edge;

    public ContainerImage NodeExporterImage { get; init; } = new ImageOptions().NodeExporter;

    public ContainerImage CadvisorImage { get; init; } = new ImageOptions().Cadvisor;

    public ServiceResources Backend { get; init; } = ServiceResources.SeedBackend;

    public ServiceResources Frontend { get; init; } = ServiceResources.SeedFrontend;

    /// <summary>The edge does what the seed's frontend nginx did (proxy and websockets): its limits.</summary>
    public ServiceResources Edge { get; init; } = ServiceResources.SeedFrontend;

    public ServiceResources NodeExporter { get; init; } = ServiceResources.SeedNodeExporter;

    public ServiceResources Cadvisor { get; init; } = ServiceResources.SeedCadvisor;

    /// <summary>Backend replicas per instance when the stack is first deployed (the Scaler changes it later).</summary>
    public int BackendReplicas { get; init; } = 1;

    public int BackendPort { get; init; } = 8000;

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
