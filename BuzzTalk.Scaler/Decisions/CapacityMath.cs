namespace BuzzTalk.Scaler.Decisions;

/// <summary>
/// The seed's capacity rule: replicas of a service fit while the node's CPU, and its memory less
/// the infrastructure reservation, cover every container's limits.
/// </summary>
public static class CapacityMath
{
    /// <param name="nodeCpus">Node CPUs.</param>
    /// <param name="nodeMemoryBytes">Node memory.</param>
    /// <param name="infraReservationBytes">Memory kept for the OS and docker (the seed: 106,000,000 bytes).</param>
    /// <param name="otherCpuLimits">Sum of CPU limits of every container that is not this service's.</param>
    /// <param name="otherMemoryLimits">Sum of memory limits of every container that is not this service's.</param>
    /// <param name="cpuLimit">This service's per-container CPU limit.</param>
    /// <param name="memoryLimit">This service's per-container memory limit.</param>
    public static int MaxReplicas(double nodeCpus, long nodeMemoryBytes, long infraReservationBytes,
        double otherCpuLimits, long otherMemoryLimits, double cpuLimit, long memoryLimit)
    {
        var byCpu = cpuLimit > 0 ? Floor((nodeCpus - otherCpuLimits) / cpuLimit) : int.MaxValue;
        var byMemory = memoryLimit > 0 ? Floor((double)(nodeMemoryBytes - infraReservationBytes - otherMemoryLimits) / memoryLimit) : int.MaxValue;
        return Math.Max(0, Math.Min(byCpu, byMemory));
    }

    // Rounded first so float noise cannot cost a whole container.
    private static int Floor(double value) => (int)Math.Clamp(Math.Floor(Math.Round(value, 9)), int.MinValue, int.MaxValue);
}
