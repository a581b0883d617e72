using System.Collections.Concurrent;
using BuzzTalk.Fleet.Inventory;
using BuzzTalk.Scaler.Configuration;
using BuzzTalk.Scaler.State;
using BuzzTalk.Scaler.Webhooks;
using Microsoft.Extensions.Options;

namespace BuzzTalk.Scaler.Execution;

/// <summary>
/// Every interval, for each inventory host: read the services and sample the scalable services'
/// containers (<c>docker stats</c>'s figures) through the host's Engine API,
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

    private long _version;

    /// <summary>Changes whenever a sample is added (the state store saves then).</summary>
    public long Version => Interlocked.Read(ref _version);

    /// <summary>Completed evaluation rounds, for the health check and tests.</summary>
    public int Rounds { get; private set; }

    public override Task StartAsync(CancellationToken cancellationToken)
    {
        // Said once at start (before the host is up; ExecuteAsync runs in the background), whether or
        // not the evaluator runs: what the webhooks may scale too.
        if (options.Value.Services.Count == 0)
        {
            ScalerLog.NoServices(logger);
        }
        else
        {
            ScalerLog.Services(logger, string.Join(", ", options.Value.Services.Select(s => $"{s.Key} ({s.Value.Min}-{s.Value.Max})")));
        }

        return base.StartAsync(cancellationToken);
    }

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
            var engine = hosts.Engine(host);
            var services = (await engine.ListServicesAsync(o.Ssh.CommandTimeout, cancellationToken).ConfigureAwait(false))
                .Where(s => o.Services.ContainsKey(s.Name) && s.DesiredReplicas is not null).ToList();
            var now = time.GetUtcNow();
            // Only the scalable services' containers are sampled: no other figure is read.
            var stats = _warmups.GetOrAdd(host, _ => new ContainerWarmup(o.Evaluator.StartupGrace))
                .Mark(await engine.ContainerStatsAsync([.. services.Select(s => s.Name)], o.Ssh.CommandTimeout, cancellationToken).ConfigureAwait(false), now);
            foreach (var service in services)
            {
                if (ScaleExecutor.Usage(stats, service, o) is not { } sample)
                {
                    // Every container is starting: no sample, no decision until one serves.
                    continue;
                }

                var key = $"{host}/{service.Name}";
                var window = _windows.GetOrAdd(key, _ => new Queue<(DateTimeOffset, double)>());
                double usage;
                lock (window)
                {
                    window.Enqueue((now, sample));
                    while (window.Count > 0 && now - window.Peek().At > o.Evaluator.Window)
                    {
                        window.Dequeue();
                    }

                    // The median, not the mean: each stats value is a one-second sample, and one
                    // that catches a health check (a python start under a 0.06-CPU limit) reads as 100 %.
                    // Sustained load lifts every sample; a lone spike must not hold a replica.
                    usage = Median(window.Select(w => w.Usage));
                }

                Interlocked.Increment(ref _version);
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

    /// <summary>The usage samples still inside the window, per (host, service).</summary>
    public Dictionary<string, List<TimedValue>> ExportSamples()
    {
        var now = time.GetUtcNow();
        var window = options.Value.Evaluator.Window;
        var samples = new Dictionary<string, List<TimedValue>>(StringComparer.Ordinal);
        foreach (var (key, queue) in _windows)
        {
            lock (queue)
            {
                var recent = queue.Where(s => now - s.At <= window).Select(s => new TimedValue(s.At, s.Usage)).ToList();
                if (recent.Count > 0)
                {
                    samples[key] = recent;
                }
            }
        }

        return samples;
    }

    /// <summary>Takes back saved samples (before the first round), those still inside the window.</summary>
    public void RestoreSamples(IReadOnlyDictionary<string, List<TimedValue>> saved)
    {
        ArgumentNullException.ThrowIfNull(saved);
        var now = time.GetUtcNow();
        var window = options.Value.Evaluator.Window;
        foreach (var (key, values) in saved)
        {
            var recent = values.Where(v => now - v.At <= window && v.At <= now && double.IsFinite(v.Value) && v.Value >= 0).OrderBy(v => v.At).ToList();
            if (recent.Count > 0)
            {
                _windows[key] = new Queue<(DateTimeOffset, double)>(recent.Select(v => (v.At, v.Value)));
            }
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
