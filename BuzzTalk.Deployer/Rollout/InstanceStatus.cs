namespace BuzzTalk.Deployer.Rollout;

/// <summary>What an instance runs: services with image and replicas, its lease and current release.</summary>
public sealed record InstanceStatus(string Instance, string Host, InstanceOutcome Outcome, string Message)
{
    public IReadOnlyList<ServiceStatus> Services { get; init; } = [];

    public string? CurrentRelease { get; init; }

    public string? PreviousRelease { get; init; }

    public LeaseView? Lease { get; init; }
}

/// <summary>One swarm service on an instance.</summary>
public sealed record ServiceStatus(string Name, string Image, int Running, int? Desired, string? UpdateState);

/// <summary>The deploy lease as the host holds it.</summary>
public sealed record LeaseView(string Holder, string Operation, DateTimeOffset Expires, bool Held);
