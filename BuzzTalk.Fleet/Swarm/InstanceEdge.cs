namespace BuzzTalk.Fleet.Swarm;

/// <summary>
/// The contract between the published stack and whoever installs an instance's edge config
/// (the Deployer, the instance script): the edge service's name, the host directory variable the
/// stack mounts, and where the edge's nginx reads its config inside its container.
/// </summary>
public static class InstanceEdge
{
    /// <summary>The stack's service that owns the published port.</summary>
    public const string Service = "edge";

    /// <summary>Stack variable naming the host directory of the edge's config.</summary>
    public const string DirectoryVariable = "BUZZTALK_EDGE_DIR";

    /// <summary>That directory inside the edge's container (mounted read-only).</summary>
    public const string ContainerDirectory = "/etc/buzztalk/edge";

    /// <summary>The config nginx runs, in that directory.</summary>
    public const string ConfigFile = "nginx.conf";

    /// <summary>A candidate config, written beside it and checked with <c>nginx -t</c> before it replaces it.</summary>
    public const string NextConfigFile = "nginx.conf.next";

    /// <summary>The config it replaced, kept for a rollback.</summary>
    public const string PreviousConfigFile = "nginx.conf.previous";
}
