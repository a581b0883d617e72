namespace BuzzTalk.Deployer.Configuration;

/// <summary>Section <c>Deployer:Health</c>: how an instance proves it serves after a rollout.</summary>
public sealed class HealthOptions
{
    /// <summary>The health path of a bundle that does not declare one (<c>x-buzztalk: health</c>): what older publishers served.</summary>
    public const string DefaultPath = "/backend/health";

    /// <summary>
    /// Fetched on the instance (curl over SSH) through its nginx, so the check covers nginx, swarm
    /// DNS and a backend replica. Unset: <see cref="Origin"/> and the bundle's health path. Set, it
    /// overrides both; empty = converged tasks are enough. <c>{instance}</c> is replaced.
    /// </summary>
    public string? Url { get; set; }

    /// <summary>
    /// The instance's edge as seen on the instance, to which the bundle's health path is appended
    /// when <see cref="Url"/> is unset. <c>{instance}</c> is replaced.
    /// </summary>
    public string Origin { get; set; } = "http://127.0.0.1:80";

    /// <summary>How long the instance may take to answer after its services converged.</summary>
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>
    /// Checks of the site taken before a deploy (the old release under the current load), and
    /// failures in a row after it that are compared with them (<see cref="Rollout.HealthGate"/>).
    /// </summary>
    public int Samples { get; set; } = 5;

    /// <summary>
    /// The URL the gate fetches for a release whose bundle declares <paramref name="healthPath"/>
    /// (null: a bundle from before the key), before <c>{instance}</c> is replaced; empty = no check.
    /// </summary>
    public string UrlFor(string? healthPath) => Url ?? Origin.TrimEnd('/') + (healthPath ?? DefaultPath);
}
