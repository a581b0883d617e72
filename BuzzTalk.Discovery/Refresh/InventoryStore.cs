using BuzzTalk.Discovery.Providers;

namespace BuzzTalk.Discovery.Refresh;

/// <summary>
/// Holds the current <see cref="InventorySnapshot"/>. A failure changes only the counters: the
/// last good instances stay, as Prometheus' own discovery keeps its last good targets.
/// </summary>
public sealed class InventoryStore
{
    private InventorySnapshot _current = InventorySnapshot.Empty;

    public InventorySnapshot Current => Volatile.Read(ref _current);

    public void Succeeded(IReadOnlyList<DiscoveredInstance> instances, DateTimeOffset at, int dropped = 0) =>
        Volatile.Write(ref _current, new InventorySnapshot(instances, at, 0, null, Restored: false, dropped));

    /// <summary>The inventory saved before a restart, until a refresh succeeds; ignored once one has.</summary>
    public void Restore(IReadOnlyList<DiscoveredInstance> instances, DateTimeOffset savedAt)
    {
        var current = Current;
        if (current.IsLoaded)
        {
            return;
        }

        Volatile.Write(ref _current, current with { Instances = instances, LastSuccess = savedAt, Restored = true });
    }

    public void Failed(string error)
    {
        var current = Current;
        Volatile.Write(ref _current, current with { ConsecutiveFailures = current.ConsecutiveFailures + 1, LastError = error });
    }
}
