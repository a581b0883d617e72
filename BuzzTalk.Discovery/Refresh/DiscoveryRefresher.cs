using BuzzTalk.Discovery.Configuration;
using BuzzTalk.Discovery.Providers;
using Microsoft.Extensions.Options;

namespace BuzzTalk.Discovery.Refresh;

/// <summary>
/// Serves the inventory saved before a restart (if any), then refreshes now and every interval. A
/// refresh has a deadline (<see cref="DiscoveryOptions.RefreshTimeout"/>). A failure is logged and
/// counted and changes nothing else: the last good inventory keeps being served and the file_sd
/// files keep their content. Instances the provider left out are counted on every refresh and
/// logged once while they last. What a refresh lists is published through <see cref="InventoryPublisher"/>.
/// </summary>
public sealed class DiscoveryRefresher(
    IInstanceProvider provider,
    InventoryStore store,
    InventoryPublisher publisher,
    InventoryStateFile state,
    DiscoveryMetrics metrics,
    IOptionsMonitor<DiscoveryOptions> options,
    TimeProvider time,
    ILogger<DiscoveryRefresher> logger) : BackgroundService
{
    /// <summary>A refresh of at least this many instances ends with a compaction (see <see cref="ReturnMemory"/>).</summary>
    private const int CompactFromInstances = 1000;

    /// <summary>... and only when this much was allocated since the last one (a refresh of 5,000 GCP instances allocates about 12 MB).</summary>
    private const long CompactAfterAllocatedBytes = 8L * 1024 * 1024;

    private HashSet<DroppedInstance> _reported = [];
    private long _allocatedAtCompaction;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(options.CurrentValue.RefreshInterval, time);
        try
        {
            await RestoreAsync(stoppingToken).ConfigureAwait(false);
            do
            {
                await RefreshAsync(stoppingToken).ConfigureAwait(false);
            }
            while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false));
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Stopping.
        }
    }

    /// <summary>Serves the saved inventory until a refresh succeeds.</summary>
    public async Task RestoreAsync(CancellationToken cancellationToken)
    {
        if (await state.RestoreAsync(provider.Source, cancellationToken).ConfigureAwait(false) is { } saved)
        {
            store.Restore(saved.Instances, saved.RefreshedAt);
            DiscoveryLog.InventoryRestored(logger, saved.Instances.Count, saved.RefreshedAt);
        }
    }

    /// <summary>One refresh; returns whether it succeeded.</summary>
    public async Task<bool> RefreshAsync(CancellationToken cancellationToken)
    {
        try
        {
            return await RefreshOnceAsync(cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            if (store.Current.Instances.Count >= CompactFromInstances)
            {
                ReturnMemory();
            }
        }
    }

    private async Task<bool> RefreshOnceAsync(CancellationToken cancellationToken)
    {
        var started = time.GetTimestamp();
        var deadline = options.CurrentValue.RefreshTimeout;
        try
        {
            var listedSince = time.GetUtcNow();
            var list = await ListAsync(deadline, cancellationToken).ConfigureAwait(false);
            var published = await publisher.PublishAsync(list, listedSince, cancellationToken).ConfigureAwait(false);
            Report(list.Dropped);
            metrics.RefreshTook(time.GetElapsedTime(started), provider.Name, success: true);
            DiscoveryLog.Refreshed(logger, provider.Name, published.Count);
            return true;
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            store.Failed(ex.Message);
            metrics.RefreshFailed(provider.Name);
            metrics.RefreshTook(time.GetElapsedTime(started), provider.Name, success: false);
            DiscoveryLog.RefreshFailed(logger, ex, provider.Name, store.Current.ConsecutiveFailures, store.Current.Instances.Count);
            return false;
        }
    }

    private async Task<InstanceList> ListAsync(TimeSpan deadline, CancellationToken cancellationToken)
    {
        using var timeout = new CancellationTokenSource(deadline, time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token);
        try
        {
            return await provider.ListAsync(linked.Token).ConfigureAwait(false);
        }
        catch (Exception ex) when (timeout.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            throw new TimeoutException(
                $"Listing instances from {provider.Name} passed the refresh deadline of {deadline.TotalSeconds:0.###} s (Discovery:RefreshTimeout).", ex);
        }
    }

    /// <summary>
    /// A refresh of a large inventory is a burst of allocation (every page's JSON model) between long idle
    /// spells. Left alone, the GC keeps what the burst promoted and the heap it grew until some later
    /// collection, so resident memory rises with the inventory and stays there. A compacting full collection
    /// that also decommits (<see cref="GCCollectionMode.Aggressive"/>) right after such a burst costs a few
    /// milliseconds on a heap this size and gives the memory back at once. A small inventory's refresh is no
    /// such burst and never compacts.
    /// </summary>
    private void ReturnMemory()
    {
        var allocated = GC.GetTotalAllocatedBytes();
        if (allocated - _allocatedAtCompaction < CompactAfterAllocatedBytes)
        {
            return;
        }

        GC.Collect(GC.MaxGeneration, GCCollectionMode.Aggressive, blocking: true, compacting: true);
        _allocatedAtCompaction = GC.GetTotalAllocatedBytes();
    }

    private void Report(IReadOnlyList<DroppedInstance> dropped)
    {
        var reported = new HashSet<DroppedInstance>();
        foreach (var instance in dropped)
        {
            metrics.Dropped(provider.Name, instance.Reason);
            if (reported.Add(instance) && !_reported.Contains(instance))
            {
                DiscoveryLog.InstanceDropped(logger, provider.Name, instance.Zone, instance.Name, instance.Reason, instance.Detail);
            }
        }

        _reported = reported;
    }
}
