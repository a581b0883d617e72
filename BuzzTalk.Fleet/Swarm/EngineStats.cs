namespace BuzzTalk.Fleet.Swarm;

/// <summary>
/// A container's CPU and memory from an Engine API stats answer, computed as <c>docker stats</c>
/// computes them (docker/cli <c>stats_helpers.go</c>), so the figures are the ones the CLI printed.
/// </summary>
public static class EngineStats
{
    /// <summary>
    /// Percent of one CPU: the container's share of the whole system's CPU time between the two
    /// samples, times the online CPUs (the per-CPU count when the engine reports none); 0 when
    /// either delta is not positive (the CLI's "--" for a container just started).
    /// </summary>
    public static double CpuPercent(ulong total, ulong previousTotal, ulong system, ulong previousSystem, uint onlineCpus, int perCpuCount)
    {
        var cpuDelta = (double)total - previousTotal;
        var systemDelta = (double)system - previousSystem;
        var cpus = onlineCpus == 0 ? perCpuCount : (double)onlineCpus;
        return systemDelta > 0 && cpuDelta > 0 ? cpuDelta / systemDelta * cpus * 100 : 0;
    }

    /// <summary>
    /// Memory in use without the reclaimable page cache: usage minus <c>total_inactive_file</c>
    /// (cgroup v1) or <c>inactive_file</c> (cgroup v2), whichever the CLI would take.
    /// </summary>
    public static long MemoryUsed(ulong usage, IReadOnlyDictionary<string, ulong>? stats)
    {
        if (stats is not null && stats.TryGetValue("total_inactive_file", out var v1) && v1 < usage)
        {
            return (long)(usage - v1);
        }

        var v2 = stats?.GetValueOrDefault("inactive_file") ?? 0;
        return (long)(v2 < usage ? usage - v2 : usage);
    }
}
