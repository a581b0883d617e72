namespace BuzzTalk.Scaler.Decisions;

/// <summary>The default decision mode: proportional target tracking, as Kubernetes' HPA does it.</summary>
public sealed class TargetTrackingOptions
{
    /// <summary>Usage (fraction of the per-container limit) each replica should run at. Default 0.6.</summary>
    public double TargetUsage { get; set; } = 0.6;

    /// <summary>
    /// Memory's own target (fraction of the memory limit). A replica's memory does not fall when
    /// another replica starts as its CPU does, so it is held to the seed's memory threshold, not
    /// to <see cref="TargetUsage"/>: an idle Django at a third of its limit must not pin two replicas. Default 0.85.
    /// </summary>
    public double MemoryTargetUsage { get; set; } = 0.85;

    /// <summary>No change while usage/target is within 1 ± this. Default 0.1.</summary>
    public double Tolerance { get; set; } = 0.1;

    /// <summary>
    /// A scale-up takes the lowest recommendation of this window. Default 20 s: with the evaluator's
    /// 30 s median window and 10 s interval, sustained overload adds a replica within about 50 s
    /// (docs/benchmarks.md).
    /// </summary>
    public TimeSpan ScaleUpStabilization { get; set; } = TimeSpan.FromSeconds(20);

    /// <summary>A scale-down takes the highest recommendation of this window. Default 5 min.</summary>
    public TimeSpan ScaleDownStabilization { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>Most replicas added by one decision. Default 2.</summary>
    public int MaxStepUp { get; set; } = 2;

    /// <summary>Most replicas removed by one decision. Default 1.</summary>
    public int MaxStepDown { get; set; } = 1;
}
