namespace BuzzTalk.Publishing;

/// <summary>
/// A swarm service's CPU and memory limits and reservations, in docker's units
/// (<c>cpus</c> as a decimal string, memory as <c>256M</c>).
/// </summary>
public sealed record ServiceLimits(string LimitCpus, string ReserveCpus, string LimitMemory, string ReserveMemory)
{
    // The seed's numbers (ORIGINAL-BEHAVIOUR.md, "Instance start-up").
    public static ServiceLimits SeedBackend { get; } = new("0.06", "0.04", "256M", "180M");

    public static ServiceLimits SeedFrontend { get; } = new("0.025", "0.015", "60M", "30M");

    public static ServiceLimits SeedNodeExporter { get; } = new("0.025", "0.015", "60M", "30M");

    public static ServiceLimits SeedCadvisor { get; } = new("0.05", "0.02", "128M", "76M");
}
