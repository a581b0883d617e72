namespace BuzzTalk.Deployer.Rollout;

/// <summary>What an instance runs: services with image and replicas, its lease and current release.</summary>
public sealed record InstanceStatus(string Instance, string Host, InstanceOutcome Outcome, string Message)
{
    /// <summary>The instance's stack (services are named <c>{Stack}_{service}</c>).</summary>
    public string? Stack { get; init; }

    public IReadOnlyList<ServiceStatus> Services { get; init; } = [];

    public string? CurrentRelease { get; init; }

    public string? PreviousRelease { get; init; }

    public LeaseView? Lease { get; init; }

    /// <summary>The desired-release record the instance keeps (what it was last brought to).</summary>
    public Releases.DesiredRelease? Running { get; init; }

    /// <summary>The last releases the instance ran (<see cref="HistoryShown"/> at most), oldest first: what ran, when, who.</summary>
    public IReadOnlyList<Releases.DesiredRelease> History { get; init; } = [];

    public const int HistoryShown = 5;

    /// <summary>The fleet's desired release (revision), when one is recorded.</summary>
    public long? DesiredRevision { get; init; }

    /// <summary>Null when the instance runs the desired release (or none is recorded); otherwise why not.</summary>
    public string? Drift { get; init; }
}

/// <summary>One swarm service on an instance.</summary>
public sealed record ServiceStatus(string Name, string Image, int Running, int? Desired, string? UpdateState);

/// <summary>The deploy lease as the host holds it.</summary>
public sealed record LeaseView(string Holder, string Operation, DateTimeOffset Expires, bool Held);
