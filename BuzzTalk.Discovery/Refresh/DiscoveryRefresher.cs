using System.Diagnostics;
using BuzzTalk.Discovery.Configuration;
using BuzzTalk.Discovery.Outputs;
using BuzzTalk.Discovery.Providers;
using BuzzTalk.Fleet.Inventory;
using Microsoft.Extensions.Options;

namespace BuzzTalk.Discovery.Refresh;

/// <summary>
/// Refreshes now, then every interval. A refresh has a deadline (<see cref="DiscoveryOptions.RefreshTimeout"/>).
/// A failure is logged and counted and changes nothing else: the last good inventory keeps being
/// served and the file_sd files keep their content.
/// </summary>
public sealed class DiscoveryRefresher(
    IInstanceProvider provider,
    InventoryStore store,
    FileSdWriter files,
    DiscoveryMetrics metrics,
    IOptionsMonitor<DiscoveryOptions> options,
    TimeProvider time,
    ILogger<DiscoveryRefresher> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(options.CurrentValue.RefreshInterval, time);
        try
        {
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

    /// <summary>One refresh; returns whether it succeeded.</summary>
    public async Task<bool> RefreshAsync(CancellationToken cancellationToken)
    {
        var started = Stopwatch.GetTimestamp();
        try
        {
            var instances = await ListAsync(options.CurrentValue.RefreshTimeout, cancellationToken).ConfigureAwait(false);
            await files.WriteAsync(instances, cancellationToken).ConfigureAwait(false);
            store.Succeeded(instances, time.GetUtcNow());
            metrics.RefreshTook(Stopwatch.GetElapsedTime(started), provider.Name, success: true);
            DiscoveryLog.Refreshed(logger, provider.Name, instances.Count);
            return true;
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            store.Failed(ex.Message);
            metrics.RefreshFailed(provider.Name);
            metrics.RefreshTook(Stopwatch.GetElapsedTime(started), provider.Name, success: false);
            DiscoveryLog.RefreshFailed(logger, ex, provider.Name, store.Current.ConsecutiveFailures, store.Current.Instances.Count);
            return false;
        }
    }

    private async Task<IReadOnlyList<FleetInstance>> ListAsync(TimeSpan deadline, CancellationToken cancellationToken)
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
}
