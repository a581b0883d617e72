using BuzzTalk.Discovery.Providers;

namespace BuzzTalk.Discovery.Refresh;

/// <summary>
/// Holds the current <see cref="InventorySnapshot"/>. A failure changes only the counters: the
/// last good instances stay, as Prometheus' own discovery keeps its last good targets. The refresh loop
/// and the preemption watch both change it, so every change is made on the snapshot it replaces.
/// </summary>
public sealed class InventoryStore
{
    private InventorySnapshot _current = InventorySnapshot.Empty;

    public InventorySnapshot Current => Volatile.Read(ref _current);

    public void Succeeded(IReadOnlyList<DiscoveredInstance> instances, DateTimeOffset at, int dropped = 0) =>
        Update(_ => new InventorySnapshot(instances, at, 0, null, Restored: false, dropped));

    /// <summary>The inventory saved before a restart, until a refresh succeeds; ignored once one has.</summary>
    public void Restore(IReadOnlyList<DiscoveredInstance> instances, DateTimeOffset savedAt) =>
        Update(current => current.IsLoaded ? null : current with { Instances = instances, LastSuccess = savedAt, Restored = true });

    public void Failed(string error) =>
        Update(current => current with { ConsecutiveFailures = current.ConsecutiveFailures + 1, LastError = error });

    /// <summary>
    /// Serves <paramref name="remaining"/> (instances taken out between refreshes); the refresh time, failures and
    /// marks stay as they were.
    /// </summary>
    public void Replace(IReadOnlyList<DiscoveredInstance> remaining) =>
        Update(current => current with { Instances = remaining });

    /// <summary>Applies <paramref name="change"/> (null: no change) unless another change came first, then retries on that one.</summary>
    private void Update(Func<InventorySnapshot, InventorySnapshot?> change)
    {
        var current = Current;
        while (change(current) is { } next)
        {
            var seen = Interlocked.CompareExchange(ref _current, next, current);
            if (ReferenceEquals(seen, current))
            {
                return;
            }

            current = seen;
        }
    }
}
