namespace BuzzTalk.Deployer.Rollout;

/// <summary>What a deploy would change on one instance; nothing is changed to find out.</summary>
public sealed record InstancePlan(string Instance, string Host, InstanceOutcome Outcome, string Message)
{
    public string? CurrentRelease { get; init; }

    public string? NewRelease { get; init; }

    /// <summary>Service → (running image, image after the deploy); only those that change.</summary>
    public IReadOnlyList<ImageChange> Images { get; init; } = [];

    /// <summary>Stack file lines removed (<c>-</c>) and added (<c>+</c>).</summary>
    public IReadOnlyList<string> StackDiff { get; init; } = [];

    public bool LeaseHeld { get; init; }
}

/// <summary>A service whose image a deploy changes.</summary>
public sealed record ImageChange(string Service, string? Running, string Planned);
