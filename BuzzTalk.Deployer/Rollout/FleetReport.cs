namespace BuzzTalk.Deployer.Rollout;

/// <summary>Every instance's report, in inventory order, and whether the whole operation succeeded.</summary>
public sealed record FleetReport(string Operation, IReadOnlyList<InstanceReport> Instances, double Seconds)
{
    public int Failures => Instances.Count(i => !i.Succeeded && i.Outcome is not (InstanceOutcome.Skipped or InstanceOutcome.Gone));

    /// <summary>Every instance deployed, or left the fleet meanwhile; and the desired release, if kept, was recorded.</summary>
    public bool Succeeded => Instances.Count > 0 && Instances.Any(i => i.Succeeded)
        && Instances.All(i => i.Succeeded || i.Outcome == InstanceOutcome.Gone) && RecordError is null;

    /// <summary>
    /// How long the fleet rollback took (the instances this deploy had updated rolled back because
    /// another did not take the release); null when there was none.
    /// </summary>
    public double? FleetRollbackSeconds { get; init; }

    /// <summary>What became of the desired release (recorded, unchanged and why); null when none is kept.</summary>
    public string? Record { get; init; }

    /// <summary>The desired release could not be read or written: the operation counts as failed.</summary>
    public string? RecordError { get; init; }
}
