namespace BuzzTalk.Deployer.Configuration;

/// <summary>Section <c>Deployer:Health</c>: how an instance proves it serves after a rollout.</summary>
public sealed class HealthOptions
{
    /// <summary>
    /// Fetched on the instance (curl over SSH) through its nginx, so the check covers nginx, swarm
    /// DNS and a backend replica. Empty = converged tasks are enough. <c>{instance}</c> is replaced.
    /// </summary>
    public string Url { get; set; } = "http://127.0.0.1:80/backend/health";

    /// <summary>How long the instance may take to answer after its services converged.</summary>
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>
    /// Checks of the site taken before a deploy (the old release under the current load), and
    /// failures in a row after it that are compared with them (<see cref="Rollout.HealthGate"/>).
    /// </summary>
    public int Samples { get; set; } = 5;
}
