using BuzzTalk.Fleet.Inventory;

namespace BuzzTalk.Discovery.Refresh;

/// <summary>The last good instance list and how the refreshes are going.</summary>
public sealed record InventorySnapshot(
    IReadOnlyList<FleetInstance> Instances,
    DateTimeOffset? LastSuccess,
    int ConsecutiveFailures,
    string? LastError)
{
    public static InventorySnapshot Empty { get; } = new([], null, 0, null);

    /// <summary>False until the first refresh succeeded: before that there is nothing to serve.</summary>
    public bool IsLoaded => LastSuccess is not null;
}
