namespace BuzzTalk.Scaler.Decisions;

/// <summary>
/// The seed's Grafana scaling rule, reproduced exactly (ORIGINAL-BEHAVIOUR.md, "Container
/// scaling"): one step up when there is room and a threshold is crossed or too few run, one step
/// down when neither threshold is crossed and more than desired run.
/// </summary>
public static class SeedRule
{
    public const double MemoryThreshold = 0.85;
    public const double CpuThreshold = 0.7;

    public static SeedDecision Decide(SeedInputs x)
    {
        var memoryHot = x.AverageMemoryUsage > MemoryThreshold;
        var cpuHot = x.AverageCpuUsage > CpuThreshold;
        var canMemory = Floor((x.TotalMemoryMb - (x.SumAppMemoryLimitsMb + x.InfraMemoryReservationMb)) / x.ContainerMemoryLimitMb);
        var canCpu = Floor((x.TotalCpus - x.SumCpuLimits) / x.ContainerCpuLimit);
        var room = canCpu >= 1 && canMemory >= 1;

        int next;
        if (room && (cpuHot || memoryHot || x.ActiveContainers < x.DesiredContainers))
        {
            next = x.ActiveContainers + 1;
        }
        else if (!cpuHot && !memoryHot && x.ActiveContainers > x.DesiredContainers)
        {
            next = x.ActiveContainers - 1;
        }
        else
        {
            next = x.ActiveContainers;
        }

        var trigger = (next != x.DesiredContainers && room) || next != x.ActiveContainers;
        var scaling = next > x.ActiveContainers ? "up" : next < x.ActiveContainers ? "down" : "not_possible";
        return new SeedDecision(next, trigger, scaling, canMemory, canCpu, memoryHot, cpuHot);
    }

    // Rounded first so float noise (0.06 / 0.06 = 0.99999...) cannot cost a whole container.
    private static int Floor(double value) => (int)Math.Floor(Math.Round(value, 9));
}
