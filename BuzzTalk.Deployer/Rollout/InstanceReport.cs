namespace BuzzTalk.Deployer.Rollout;

/// <summary>One instance's result: outcome, reason, the steps taken and how long it took.</summary>
public sealed record InstanceReport(
    string Instance,
    string Host,
    InstanceOutcome Outcome,
    string Message,
    IReadOnlyList<string> Steps,
    double Seconds)
{
    public string? Release { get; init; }

    public bool Succeeded => Outcome is InstanceOutcome.Deployed or InstanceOutcome.Reverted or InstanceOutcome.LeaseReleased or InstanceOutcome.Inspected;
}
