using BuzzTalk.Discovery.Providers;

namespace BuzzTalk.Discovery.Refresh;

/// <summary>The last good instance list and how the refreshes are going.</summary>
/// <param name="Instances">In publication order (name, then zone).</param>
/// <param name="LastSuccess">When the instances were last confirmed by a refresh (for a restored inventory: before the restart).</param>
/// <param name="ConsecutiveFailures">Failed refreshes since the last success (or since start).</param>
/// <param name="LastError">The last failure's message.</param>
/// <param name="Restored">The instances were read back from the state directory and no refresh has succeeded since start.</param>
/// <param name="Dropped">Instances left out of the last successful refresh because of invalid data.</param>
public sealed record InventorySnapshot(
    IReadOnlyList<DiscoveredInstance> Instances,
    DateTimeOffset? LastSuccess,
    int ConsecutiveFailures,
    string? LastError,
    bool Restored = false,
    int Dropped = 0)
{
    public static InventorySnapshot Empty { get; } = new([], null, 0, null);

    /// <summary>False until there is something to serve: a refresh succeeded or a saved inventory was restored.</summary>
    public bool IsLoaded => LastSuccess is not null;
}
