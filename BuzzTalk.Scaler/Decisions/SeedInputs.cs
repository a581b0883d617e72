namespace BuzzTalk.Scaler.Decisions;

/// <summary>
/// The figures the seed's Grafana rule computed per (instance, service). Memory in MB, CPU in
/// cores, usage as fractions of the per-container limit averaged over the seed's 15 minutes.
/// </summary>
public sealed record SeedInputs(
    double TotalMemoryMb,
    double TotalCpus,
    double InfraMemoryReservationMb,
    double ContainerMemoryLimitMb,
    double ContainerCpuLimit,
    double SumAppMemoryLimitsMb,
    double SumCpuLimits,
    double AverageMemoryUsage,
    double AverageCpuUsage,
    int ActiveContainers,
    int DesiredContainers = 1)
{
    /// <summary>The seed's hard-coded infrastructure reservation: 106,000,000 bytes.</summary>
    public const double SeedInfraMemoryReservationMb = 106_000_000 / 1024.0 / 1024.0;

    /// <summary>e2-micro: 2 shared vCPUs worth a quarter of a core.</summary>
    public const double SeedTotalCpus = 0.25;
}
