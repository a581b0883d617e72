using BuzzTalk.Fleet.Ssh;

namespace BuzzTalk.Deployer.Configuration;

/// <summary>
/// Section <c>Deployer</c>. Paths and the stack name may contain <c>{instance}</c>, replaced by the
/// instance's name, so several logical instances can share one host (the local fleet, tests).
/// </summary>
public sealed class DeployerOptions
{
    public const string SectionName = "Deployer";

    /// <summary>Swarm stack name; empty = the bundle's name.</summary>
    public string Stack { get; set; } = "";

    /// <summary>Where releases are uploaded: <c>{RemoteRoot}/releases/{id}</c>, <c>current</c> and <c>previous</c> links.</summary>
    public string RemoteRoot { get; set; } = "/opt/buzztalk";

    /// <summary>
    /// Service mode: the operator's <c>.env</c>, rendered on every deploy and the instance's env files
    /// uploaded with the release (as the CLI's <c>--env-dir</c> does). Unset: the hosts keep theirs.
    /// </summary>
    public string? EnvFile { get; set; }

    /// <summary>Env files the stack reads (mode 0600); passed to the stack as <c>BUZZTALK_ENV_DIR</c>.</summary>
    public string EnvDirectory { get; set; } = "/etc/buzztalk/env";

    /// <summary>
    /// The instance's run directory (the shutdown script's drain flag), mounted into the frontend;
    /// passed to the stack as <c>BUZZTALK_RUN_DIR</c>. The instance script creates it at boot.
    /// </summary>
    public string RunDirectory { get; set; } = "/run/buzztalk";

    /// <summary>Directory of the deploy lease file on the host (the Scaler reads the same one).</summary>
    public string LeaseDirectory { get; set; } = BuzzTalk.Fleet.Leases.DeployLease.DefaultDirectory;

    public TimeSpan LeaseTtl { get; set; } = TimeSpan.FromMinutes(2);

    /// <summary>How long to wait for another holder's lease before giving up on an instance.</summary>
    public TimeSpan LeaseWait { get; set; } = TimeSpan.Zero;

    /// <summary>Time for updated services to run their new tasks.</summary>
    public TimeSpan ConvergeTimeout { get; set; } = TimeSpan.FromMinutes(5);

    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Releases kept on each host, the current one included.</summary>
    public int KeepReleases { get; set; } = 5;

    public HealthOptions Health { get; set; } = new();

    public SshHostOptions Ssh { get; set; } = new();

    /// <summary>Where the desired release is recorded for booting instances (off without a bucket).</summary>
    public ReleaseStoreOptions Release { get; set; } = new();

    /// <summary>Static inventory: instances to deploy to.</summary>
    public List<DeployTarget> Instances { get; set; } = [];

    /// <summary>Discovery's <c>/sd/targets</c> URL: the inventory when <see cref="Instances"/> is empty.</summary>
    public string? DiscoveryUrl { get; set; }

    /// <summary>The <c>Deployer</c> section, with the AppHost's Discovery reference where no URL is set.</summary>
    public static DeployerOptions Load(IConfiguration configuration)
    {
        var options = new DeployerOptions();
        configuration.GetSection(SectionName).Bind(options);
        if (string.IsNullOrWhiteSpace(options.DiscoveryUrl) && DiscoveryReference.TargetsUrl(configuration) is { } discovery)
        {
            options.DiscoveryUrl = discovery.ToString();
        }

        return options;
    }
}
