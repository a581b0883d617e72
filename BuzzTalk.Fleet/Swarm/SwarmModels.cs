namespace BuzzTalk.Fleet.Swarm;

/// <summary>CPU in nano-CPUs and memory in bytes, as swarm specifies resources.</summary>
public sealed record Resources(long NanoCpus, long MemoryBytes)
{
    public static Resources None { get; } = new(0, 0);

    public double Cpus => NanoCpus / 1e9;
}

/// <summary>A swarm service with its desired replicas (null for global services) and per-task resources.</summary>
public sealed record SwarmService(string Id, string Name, string Image, int? DesiredReplicas, Resources Limits, Resources Reservations);

/// <summary>One task of a service: its desired and current state.</summary>
public sealed record SwarmTask(string Id, string Name, string DesiredState, string CurrentState, string Error)
{
    public bool IsRunning => DesiredState == "Running" && CurrentState.StartsWith("Running", StringComparison.Ordinal);
}

/// <summary>
/// One container's <c>docker stats</c> sample, with the swarm service it belongs to (empty if none)
/// and whether it is still starting (its health check has not passed yet): a starting container's
/// figures are its start-up, not its load.
/// </summary>
public sealed record ContainerStats(string ContainerId, string Service, double CpuPercent, long MemoryBytes, long MemoryLimitBytes, bool Starting = false);

/// <summary>
/// Where a service stands in a rollout: its spec version (bumped by every update), the update
/// state swarm reports (<c>updating</c>, <c>completed</c>, <c>paused</c>, <c>rollback_started</c>,
/// <c>rollback_completed</c>, ... or null before any update) and whether a previous spec exists
/// to roll back to.
/// </summary>
public sealed record ServiceRollout(string Name, string Image, long Version, string? UpdateState, string? UpdateMessage,
    int? DesiredReplicas, bool IsGlobal, bool HasPreviousSpec)
{
    /// <summary>When swarm started the last update or rollback (identifies it); null before any.</summary>
    public string? UpdateStartedAt { get; init; }

    /// <summary>
    /// The task spec differs from the previous spec: swarm replaces tasks for this change. A spec
    /// re-applied unchanged (a stack deploy re-sends every service) bumps the version but starts
    /// no update, so there is nothing to wait for.
    /// </summary>
    public bool TaskSpecChanged { get; init; }

    /// <summary>Swarm gave up on the last update or rolled it back by itself.</summary>
    public bool UpdateFailed => UpdateState is "paused" or "rollback_started" or "rollback_paused" or "rollback_completed";

    public bool IsUpdating => UpdateState is "updating" or "rollback_started";

    public bool RolledBackBySwarm => UpdateState is "rollback_completed";
}
