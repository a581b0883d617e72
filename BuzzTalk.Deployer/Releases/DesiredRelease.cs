namespace BuzzTalk.Deployer.Releases;

/// <summary>
/// What the fleet should run, recorded by every successful deploy and rollback and read by every
/// booting instance: the bundle (by release id and object), each service's image and the stack's
/// tag variables, and which Secret Manager version holds the env files. No secret value is in
/// here: only the version's name and a SHA-256 of the files. <see cref="Previous"/> is what a
/// rollback goes back to (one level, as swarm's own rollback).
/// </summary>
public sealed record DesiredRelease
{
    /// <summary>Increases by one with every record; an instance's record says which one it runs.</summary>
    public required long Revision { get; init; }

    /// <summary>The bundle's release id (12 hex digits of the SHA-256 of its <c>SHA256SUMS</c>).</summary>
    public required string Release { get; init; }

    /// <summary>The release's instance files as a tar.gz in the bundle bucket.</summary>
    public required string BundleObject { get; init; }

    /// <summary>Service (short name, as in the stack file) → its image and tag.</summary>
    public required IReadOnlyDictionary<string, ServiceRelease> Services { get; init; }

    /// <summary>Full name of the Secret Manager version with the env files; null = none recorded yet.</summary>
    public string? EnvSecretVersion { get; init; }

    /// <summary>SHA-256 over the env files' names and contents: tells a changed set without holding it.</summary>
    public string? EnvSha256 { get; init; }

    /// <summary><c>deploy</c> or <c>rollback</c>.</summary>
    public required string Operation { get; init; }

    public required DateTimeOffset RecordedAt { get; init; }

    public string? RecordedBy { get; init; }

    public DesiredRelease? Previous { get; init; }

    /// <summary>
    /// What rolling <paramref name="services"/> back to <paramref name="previous"/> gives: the
    /// previous record whole (null), or this one with only those services' images taken from it.
    /// </summary>
    public DesiredRelease RolledBackTo(DesiredRelease previous, IReadOnlyList<string>? services)
    {
        ArgumentNullException.ThrowIfNull(previous);
        if (services is null)
        {
            return previous;
        }

        var merged = Services.ToDictionary(s => s.Key, s => s.Value, StringComparer.Ordinal);
        foreach (var service in services)
        {
            if (previous.Services.TryGetValue(service, out var before))
            {
                merged[service] = before;
            }
        }

        return this with { Services = merged };
    }

    /// <summary>This record as an instance keeps it: without the history.</summary>
    public DesiredRelease WithoutHistory() => this with { Previous = null };

    /// <summary>One line for people: <c>r7 3f2a…(backend v2, frontend v1)</c>.</summary>
    public string Describe() =>
        $"r{Revision.ToString(System.Globalization.CultureInfo.InvariantCulture)} {Release} ({string.Join(", ", Services.OrderBy(s => s.Key, StringComparer.Ordinal).Select(s => $"{s.Key} {s.Value.Tag}"))})";
}

/// <summary>
/// A service of the desired release: the image it runs, and the stack variable that carries its
/// tag (<c>BACKEND_IMAGE_TAG</c>; null when the stack file fixes the tag).
/// </summary>
public sealed record ServiceRelease(string Image, string? TagVariable, string Tag);
