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

/// <summary>One container's <c>docker stats</c> sample, with the swarm service it belongs to (empty if none).</summary>
public sealed record ContainerStats(string ContainerId, string Service, double CpuPercent, long MemoryBytes, long MemoryLimitBytes);
