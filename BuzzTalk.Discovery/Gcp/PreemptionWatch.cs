using System.Globalization;
using BuzzTalk.Discovery.Configuration;
using BuzzTalk.Discovery.Providers;
using BuzzTalk.Discovery.Refresh;
using Microsoft.Extensions.Options;

namespace BuzzTalk.Discovery.Gcp;

/// <summary>
/// Takes a preempted spot instance out of the inventory within seconds rather than at a later refresh: Compute Engine
/// gives the VM about 30 s notice, during which it is still listed RUNNING. Every
/// <see cref="GcpOptions.PreemptionPollInterval"/> the watch lists the project's <c>compute.instances.preempted</c>
/// operations (one call while they fit one page), takes the served instances they name out at once and keeps them out
/// of the next refreshes (<see cref="InventoryPublisher"/>, <see cref="PreemptedInstances"/>). Instances are matched
/// by id only: a managed group recreates a preempted VM under the same name with a new id, which is served as soon as
/// a refresh lists it. A failed, slow or garbled poll changes nothing and is counted; the next one tries again.
/// </summary>
public sealed class PreemptionWatch(
    ComputeClient compute,
    InventoryPublisher publisher,
    IInstanceProvider provider,
    DiscoveryMetrics metrics,
    IOptionsMonitor<DiscoveryOptions> options,
    TimeProvider time,
    ILogger<PreemptionWatch> logger) : BackgroundService
{
    /// <summary>
    /// Older operations are ignored: by then the VM has stopped and the refreshes no longer list it, or it was started
    /// again under its id and must not go for an old preemption. Once running, the watch sees each operation within a
    /// poll or two; only its first poll, or one after a long outage, meets older ones.
    /// </summary>
    private static readonly TimeSpan MaxOperationAge = TimeSpan.FromMinutes(5);

    /// <summary>Operations already acted on: instance id to the newest <c>insertTime</c>, kept for <see cref="MaxOperationAge"/>.</summary>
    private readonly Dictionary<ulong, DateTimeOffset> _seen = [];
    private int _failures;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var interval = options.CurrentValue.Gcp.PreemptionPollInterval;
        if (interval == TimeSpan.Zero)
        {
            return; // turned off
        }

        using var timer = new PeriodicTimer(interval, time);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false))
            {
                await PollAsync(stoppingToken).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Stopping.
        }
    }

    private async Task PollAsync(CancellationToken cancellationToken)
    {
        try
        {
            var now = time.GetUtcNow();
            var found = await ListNewAsync(now, options.CurrentValue.RefreshTimeout, cancellationToken).ConfigureAwait(false);
            if (found.Count > 0)
            {
                var removed = await publisher.RemovePreemptedAsync(found.Keys, cancellationToken).ConfigureAwait(false);
                metrics.Preempted(found.Count);
                foreach (var instance in removed)
                {
                    metrics.Dropped(provider.Name, DropReasons.Preempted);
                    DiscoveryLog.InstancePreempted(logger, instance.Name, instance.Zone, instance.Id);
                }

                foreach (var (id, insertTime) in found)
                {
                    _seen[id] = insertTime;
                }
            }

            foreach (var (id, insertTime) in _seen)
            {
                if (now - insertTime > MaxOperationAge)
                {
                    _seen.Remove(id);
                }
            }

            if (_failures > 0)
            {
                DiscoveryLog.PreemptionPollRecovered(logger, _failures);
                _failures = 0;
            }
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            _failures++;
            metrics.PreemptionPollFailed();
            DiscoveryLog.PreemptionPollFailed(logger, _failures == 1 ? LogLevel.Warning : LogLevel.Debug, ex, _failures);
        }
    }

    /// <summary>Preemptions not acted on yet and at most <see cref="MaxOperationAge"/> old: instance id to <c>insertTime</c>.</summary>
    private async Task<Dictionary<ulong, DateTimeOffset>> ListNewAsync(DateTimeOffset now, TimeSpan deadline, CancellationToken cancellationToken)
    {
        using var timeout = new CancellationTokenSource(deadline, time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token);
        var found = new Dictionary<ulong, DateTimeOffset>();
        var skipped = 0;
        try
        {
            await foreach (var operation in compute.ListPreemptionsAsync(options.CurrentValue.Gcp.ProjectId, linked.Token).ConfigureAwait(false))
            {
                if (operation.OperationType != ComputeClient.PreemptedOperationType)
                {
                    continue; // Google filtered by type: anything else is not a preemption
                }

                if (operation.TargetId is not { } id
                    || !DateTimeOffset.TryParse(operation.InsertTime, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var insertTime))
                {
                    skipped++; // malformed: skipped, the rest of the answer is used
                    continue;
                }

                if (now - insertTime > MaxOperationAge || (_seen.TryGetValue(id, out var seen) && seen >= insertTime))
                {
                    continue;
                }

                if (!found.TryGetValue(id, out var other) || other < insertTime)
                {
                    found[id] = insertTime;
                }
            }
        }
        catch (Exception ex) when (timeout.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            throw new TimeoutException(
                $"Polling preemptions passed the deadline of {deadline.TotalSeconds:0.###} s (Discovery:RefreshTimeout).", ex);
        }

        if (skipped > 0)
        {
            DiscoveryLog.PreemptionOperationsSkipped(logger, skipped);
        }

        return found;
    }
}
