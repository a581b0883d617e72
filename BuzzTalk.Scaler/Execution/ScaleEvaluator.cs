using System.Collections.Concurrent;
using BuzzTalk.Fleet.Inventory;
using BuzzTalk.Fleet.Swarm;
using BuzzTalk.Scaler.Configuration;
using BuzzTalk.Scaler.Webhooks;
using Microsoft.Extensions.Options;

namespace BuzzTalk.Scaler.Execution;

/// <summary>
/// Every interval, for each inventory host: sample <c>docker stats</c> and the services over SSH,
/// keep a sliding window of usage per scalable service, and hand the window's median to the
/// executor, which decides and acts exactly as for an alert.
/// </summary>
public sealed class ScaleEvaluator(
    IInventory inventory,
    HostConnections hosts,
    ScaleExecutor executor,
    IOptions<ScalerOptions> options,
    TimeProvider time,
    ILogger<ScaleEvaluator> logger) : BackgroundService
{
    private readonly ConcurrentDictionary<string, Queue<(DateTimeOffset At, double Usage)>> _windows = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, ContainerWarmup> _warmups = new(StringComparer.Ordinal);

    /// <summary>Completed evaluation rounds, for the health check and tests.</summary>
    public int Rounds { get; private set; }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var evaluator = options.Value.Evaluator;
        if (!evaluator.Enabled)
        {
            return;
        }

        using var timer = new PeriodicTimer(evaluator.Interval, time);
        try
        {
            do
            {
                await EvaluateAsync(stoppingToken).ConfigureAwait(false);
                Rounds++;
            }
            while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false));
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Stopping.
        }
    }

    public async Task EvaluateAsync(CancellationToken cancellationToken)
    {
        IReadOnlyList<FleetInstance> instances;
        try
        {
            instances = await inventory.GetAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            ScalerLog.EvaluationFailed(logger, "inventory", ex.Message);
            return;
        }

        // Hosts are independent: one slow or unreachable host does not hold up the others.
        await Task.WhenAll(instances.Select(i => EvaluateHostAsync(i.PublicIp, cancellationToken))).ConfigureAwait(false);
    }

    private async Task EvaluateHostAsync(string host, CancellationToken cancellationToken)
    {
        var o = options.Value;
        try
        {
            var swarm = new SwarmClient(hosts.For(host), o.Docker, time);
            var services = await swarm.ListServicesAsync(cancellationToken).ConfigureAwait(false);
            var now = time.GetUtcNow();
            var stats = _warmups.GetOrAdd(host, _ => new ContainerWarmup(o.Evaluator.StartupGrace))
                .Mark(await swarm.StatsAsync(cancellationToken).ConfigureAwait(false), now);
            foreach (var service in services.Where(s => o.Services.ContainsKey(s.Name) && s.DesiredReplicas is not null))
            {
                if (ScaleExecutor.Usage(stats, service, o) is not { } sample)
                {
                    // Every container is starting: no sample, no decision until one serves.
                    continue;
                }

                var key = $"{host}/{service.Name}";
                var window = _windows.GetOrAdd(key, _ => new Queue<(DateTimeOffset, double)>());
                window.Enqueue((now, sample));
                while (window.Count > 0 && now - window.Peek().At > o.Evaluator.Window)
                {
                    window.Dequeue();
                }

                // The median, not the mean: each `docker stats` value is a one-second sample, and one
                // that catches a health check (a python start under a 0.06-CPU limit) reads as 100 %.
                // Sustained load lifts every sample; a lone spike must not hold a replica.
                var usage = Median(window.Select(w => w.Usage));
                await executor.ExecuteAsync(
                    new ScaleRequest(AlertSource.Evaluator, host, service.Name, null, service.DesiredReplicas, null, "evaluator", "") { Usage = usage },
                    cancellationToken).ConfigureAwait(false);
            }
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            ScalerLog.EvaluationFailed(logger, host, ex.Message);
        }
    }

    /// <summary>The middle value (the mean of the two middle ones for an even count).</summary>
    public static double Median(IEnumerable<double> values)
    {
        var sorted = values.Order().ToArray();
        return sorted.Length == 0 ? 0
            : sorted.Length % 2 == 1 ? sorted[sorted.Length / 2]
            : (sorted[(sorted.Length / 2) - 1] + sorted[sorted.Length / 2]) / 2;
    }
}
