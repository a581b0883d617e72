using BuzzTalk.Discovery.Outputs;
using BuzzTalk.Discovery.Providers;

namespace BuzzTalk.Discovery.Refresh;

/// <summary>
/// Publishes an inventory everywhere it goes: the file_sd files, the state file, then the served snapshot. The
/// refresh loop publishes what it listed; the preemption watch takes preempted instances out between refreshes.
/// One publication at a time, so neither undoes the other (a refresh that listed a VM before the watch took it out
/// would otherwise publish it again), and every publication leaves out the <see cref="PreemptedInstances"/>.
/// </summary>
public sealed class InventoryPublisher(
    IInstanceProvider provider,
    InventoryStore store,
    FileSdWriter files,
    InventoryStateFile state,
    PreemptedInstances preempted,
    TimeProvider time) : IDisposable
{
    private readonly SemaphoreSlim _gate = new(1, 1);

    /// <summary>Publishes a refresh's list, which began listing at <paramref name="listedSince"/>; returns what was published.</summary>
    public async Task<IReadOnlyList<DiscoveredInstance>> PublishAsync(InstanceList list, DateTimeOffset listedSince, CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var instances = preempted.Filter(list.Instances, listedSince, time.GetUtcNow());
            var now = await WriteAsync(instances, confirmedAt: null, cancellationToken).ConfigureAwait(false);
            store.Succeeded(instances, now, list.Dropped.Count);
            return instances;
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>
    /// Records <paramref name="ids"/> as preempted and takes their instances out of the served inventory at once;
    /// returns the instances taken out (none before an inventory is loaded).
    /// </summary>
    public async Task<IReadOnlyList<DiscoveredInstance>> RemovePreemptedAsync(IReadOnlyCollection<ulong> ids, CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            preempted.Record(ids, time.GetUtcNow());
            var current = store.Current;
            if (current.LastSuccess is not { } confirmedAt || !current.Instances.Any(preempted.Contains))
            {
                return [];
            }

            var remaining = new List<DiscoveredInstance>(current.Instances.Count);
            var removed = new List<DiscoveredInstance>();
            foreach (var instance in current.Instances)
            {
                (preempted.Contains(instance) ? removed : remaining).Add(instance);
            }

            // The rest was confirmed by the same refresh as before: the state file keeps that time.
            await WriteAsync(remaining, confirmedAt, cancellationToken).ConfigureAwait(false);
            store.Replace(remaining);
            return removed;
        }
        finally
        {
            _gate.Release();
        }
    }

    public void Dispose() => _gate.Dispose();

    private async Task<DateTimeOffset> WriteAsync(IReadOnlyList<DiscoveredInstance> instances, DateTimeOffset? confirmedAt, CancellationToken cancellationToken)
    {
        var fingerprint = await InventoryFingerprint.OfAsync(instances, cancellationToken).ConfigureAwait(false);
        await files.WriteAsync(instances, fingerprint, cancellationToken).ConfigureAwait(false);
        var at = confirmedAt ?? time.GetUtcNow();
        await state.SaveAsync(provider.Source, instances, fingerprint, at, cancellationToken).ConfigureAwait(false);
        return at;
    }
}
