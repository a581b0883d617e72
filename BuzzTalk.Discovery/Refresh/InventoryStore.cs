using BuzzTalk.Fleet.Inventory;

namespace BuzzTalk.Discovery.Refresh;

/// <summary>
/// Holds the current <see cref="InventorySnapshot"/>. A failure changes only the counters: the
/// last good instances stay, as Prometheus' own discovery keeps its last good targets.
/// </summary>
public sealed class InventoryStore
{
    private InventorySnapshot _current = InventorySnapshot.Empty;

    public InventorySnapshot Current => Volatile.Read(ref _current);

    public void Succeeded(IReadOnlyList<FleetInstance> instances, DateTimeOffset at) =>
        Volatile.Write(ref _current, new InventorySnapshot(instances, at, 0, null));

    public void Failed(string error)
    {
        var current = Current;
        Volatile.Write(ref _current, current with { ConsecutiveFailures = current.ConsecutiveFailures + 1, LastError = error });
    }
}
