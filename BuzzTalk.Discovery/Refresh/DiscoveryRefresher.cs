using BuzzTalk.Discovery.Configuration;
using BuzzTalk.Discovery.Outputs;
using BuzzTalk.Discovery.Providers;
using Microsoft.Extensions.Options;

namespace BuzzTalk.Discovery.Refresh;

/// <summary>
/// Serves the inventory saved before a restart (if any), then refreshes now and every interval. A
/// refresh has a deadline (<see cref="DiscoveryOptions.RefreshTimeout"/>). A failure is logged and
/// counted and changes nothing else: the last good inventory keeps being served and the file_sd
/// files keep their content. Instances the provider left out are counted on every refresh and
/// logged once while they last.
/// </summary>
public sealed class DiscoveryRefresher(
    IInstanceProvider provider,
    InventoryStore store,
    FileSdWriter files,
    InventoryStateFile state,
    DiscoveryMetrics metrics,
    IOptionsMonitor<DiscoveryOptions> options,
    TimeProvider time,
    ILogger<DiscoveryRefresher> logger) : BackgroundService
{
    private HashSet<DroppedInstance> _reported = [];

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
        var started = time.GetTimestamp();
        var deadline = options.CurrentValue.RefreshTimeout;
        try
        {
            var list = await ListAsync(deadline, cancellationToken).ConfigureAwait(false);
            var fingerprint = await InventoryFingerprint.OfAsync(list.Instances, cancellationToken).ConfigureAwait(false);
            await files.WriteAsync(list.Instances, fingerprint, cancellationToken).ConfigureAwait(false);
            await state.SaveAsync(provider.Source, list.Instances, fingerprint, cancellationToken).ConfigureAwait(false);
            store.Succeeded(list.Instances, time.GetUtcNow(), list.Dropped.Count);
            Report(list.Dropped);
            metrics.RefreshTook(time.GetElapsedTime(started), provider.Name, success: true);
            DiscoveryLog.Refreshed(logger, provider.Name, list.Instances.Count);
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
