namespace BuzzTalk.Deployer.Rollout;

/// <summary>
/// What to roll out. <see cref="Services"/> null = the whole stack (<c>docker stack deploy</c>);
/// otherwise only those services' images change (<c>docker service update --image</c>).
/// </summary>
public sealed record RolloutRequest
{
    public IReadOnlyList<string>? Services { get; init; }

    /// <summary>Tag for the services' images; null = the tags the stack file defaults to.</summary>
    public string? ImageTag { get; init; }

    /// <summary>Stack variables → tags for a whole-stack deploy (a recorded release); applied after <see cref="ImageTag"/>.</summary>
    public IReadOnlyDictionary<string, string>? Tags { get; init; }

    /// <summary>Env files to upload to the instance (name → content), mode 0600; null = use those already there.</summary>
    public IReadOnlyDictionary<string, byte[]>? EnvFiles { get; init; }

    /// <summary>The release record an instance keeps once it runs this rollout; null = none recorded.</summary>
    public Releases.DesiredRelease? Record { get; init; }

    /// <summary>Who holds the lease (shown to the Scaler and to other deployers).</summary>
    public string Holder { get; init; } = $"{Environment.UserName}@{Environment.MachineName}";
}
