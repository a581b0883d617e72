namespace BuzzTalk.Deployer.Rollout;

/// <summary>Every instance's report, in inventory order, and whether the whole operation succeeded.</summary>
public sealed record FleetReport(string Operation, IReadOnlyList<InstanceReport> Instances, double Seconds)
{
    public int Failures => Instances.Count(i => !i.Succeeded && i.Outcome != InstanceOutcome.Skipped);

    public bool Succeeded => Instances.Count > 0 && Instances.All(i => i.Succeeded);
}
