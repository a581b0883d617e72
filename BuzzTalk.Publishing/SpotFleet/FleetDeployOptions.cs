using System.ComponentModel.DataAnnotations;

namespace BuzzTalk.Publishing.SpotFleet;

/// <summary>
/// <c>aspire deploy</c>'s rollout, section <c>BuzzTalk:Deploy</c>: the Deployer's own settings file
/// and the options of its <c>deploy</c> command.
/// </summary>
public sealed class FleetDeployOptions
{
    public const string SectionName = "BuzzTalk:Deploy";

    /// <summary>
    /// The Deployer's settings (its <c>--config</c>: SSH key and known_hosts, inventory, health URL,
    /// <c>EnvFile</c>); a relative path is taken from the AppHost project directory, where
    /// <c>aspire deploy</c> runs the AppHost. With <c>BuzzTalk:Fleet=local</c> the running local
    /// fleet's own (<c>&lt;state&gt;/fleet/deployer.json</c>) by default.
    /// </summary>
    public string? Config { get; set; }

    /// <summary>Only these services, comma-separated (<c>--services</c>); unset deploys the whole stack.</summary>
    [RegularExpression("^[a-z][a-z0-9-]*(,[a-z][a-z0-9-]*)*$", ErrorMessage = "a comma-separated list of service names")]
    public string? Services { get; set; }

    /// <summary>The image tag of the deployed services (<c>--image-tag</c>).</summary>
    [RegularExpression(@"^[A-Za-z0-9_][A-Za-z0-9_.\-]{0,127}$", ErrorMessage = "an image tag")]
    public string? ImageTag { get; set; }

    [Range(1, 1000)]
    public int Parallel { get; set; } = 1;

    [Range(0, 100_000)]
    public int MaxFailures { get; set; }

    /// <summary>Roll the updated instances back when the deploy fails on any (<c>--no-fleet-rollback</c> turns it off).</summary>
    public bool FleetRollback { get; set; } = true;
}
