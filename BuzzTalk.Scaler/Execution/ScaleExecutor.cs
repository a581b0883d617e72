using System.Collections.Concurrent;
using System.Diagnostics;
using BuzzTalk.Fleet.Inventory;
using BuzzTalk.Fleet.Leases;
using BuzzTalk.Fleet.Swarm;
using BuzzTalk.Scaler.Configuration;
using BuzzTalk.Scaler.Decisions;
using BuzzTalk.Scaler.Notifications;
using BuzzTalk.Scaler.Webhooks;
using Microsoft.Extensions.Options;

namespace BuzzTalk.Scaler.Execution;

/// <summary>
/// Turns a request into at most one change of a service's replica count, sent to the host's Engine
/// API (<see cref="HostEngine.ScaleIfFreeAsync"/>: a compare-and-set update of the service spec
/// under the deploy lease's lock): only for hosts in the inventory
/// and services configured as scalable, within their bounds and the host's capacity, never
/// while a deploy holds the host's lease. Requests for the same (host, service) run one at a
/// time and are idempotent: a count already reached, or a pressure alert inside the cooldown,
/// changes nothing.
/// </summary>
public sealed class ScaleExecutor(
    IInventory inventory,
    HostConnections hosts,
    HostFigures figures,
    DecisionLog log,
    DecisionNotifier notifier,
    ConvergenceTracker convergence,
    TargetTrackingEngine targetTracking,
    IOptions<ScalerOptions> options,
    TimeProvider time,
    ILogger<ScaleExecutor> logger) : IDisposable
{
    private readonly ConcurrentDictionary<string, SemaphoreSlim> _locks = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, DateTimeOffset> _lastAction = new(StringComparer.Ordinal);
    private long _version;

    /// <summary>Changes whenever a cooldown starts (the state store saves then).</summary>
    public long Version => Interlocked.Read(ref _version);

    /// <summary>When each (host, service) was last acted on, while its cooldown lasts.</summary>
    public Dictionary<string, DateTimeOffset> ExportLastActions()
    {
        var now = time.GetUtcNow();
        return _lastAction.Where(a => now - a.Value < options.Value.Cooldown).ToDictionary(a => a.Key, a => a.Value, StringComparer.Ordinal);
    }

    /// <summary>Takes back saved last actions (at start), those whose cooldown still lasts.</summary>
    public void RestoreLastActions(IReadOnlyDictionary<string, DateTimeOffset> saved)
    {
        ArgumentNullException.ThrowIfNull(saved);
        var now = time.GetUtcNow();
        foreach (var (key, at) in saved.Where(a => now - a.Value < options.Value.Cooldown && a.Value <= now))
        {
            _lastAction[key] = at;
        }
    }

    /// <summary>
    /// Decides and, when the count changes, issues the scale; returns once the engine took the new
    /// count (its convergence is followed in the background by <see cref="ConvergenceTracker"/>).
    /// </summary>
    public async Task<ScaleOutcome> ExecuteAsync(ScaleRequest request, CancellationToken cancellationToken)
    {
        var started = Stopwatch.GetTimestamp();
        var o = options.Value;
        var mode = request.TargetReplicas is null ? o.Mode.ToString() : "alert-count";
        ScaleOutcome Outcome(string result, int? from, int? to, string reason) => new(time.GetUtcNow(), request.Source.ToString(),
            request.Host, request.Service, mode, result, from, to, reason, Stopwatch.GetElapsedTime(started).TotalMilliseconds);

        ScaleOutcome Failure(Exception ex)
        {
            var transient = ScaleFailures.IsTransient(ex);
            ScalerLog.ScaleFailed(logger, request.Service, request.Host, transient ? "transient" : "permanent", ex.Message);
            return Outcome(ScaleOutcome.Failed, null, null, ex.Message) with { Transient = transient };
        }

        if (!o.Services.TryGetValue(request.Service, out var bounds))
        {
            return await RecordAsync(Outcome(ScaleOutcome.Refused, null, null, $"service {request.Service} is not configured as scalable")).ConfigureAwait(false);
        }

        IReadOnlyList<FleetInstance> instances;
        try
        {
            instances = await inventory.GetAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            // Discovery unreachable: nothing is known about the host yet, so the sender should retry.
            return await RecordAsync(Failure(ex)).ConfigureAwait(false);
        }

        if (!instances.Any(i => i.PublicIp == request.Host))
        {
            return await RecordAsync(Outcome(ScaleOutcome.Refused, null, null, $"host {request.Host} is not in the inventory")).ConfigureAwait(false);
        }

        var key = $"{request.Host}/{request.Service}";
        var gate = _locks.GetOrAdd(key, _ => new SemaphoreSlim(1, 1));
        await gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            ScaleOutcome outcome;
            try
            {
                outcome = await DecideAndActAsync(request, key, bounds, o, Outcome, started, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
            {
                outcome = Failure(ex);
            }

            // Recorded, and its watch started, before the next request for the service decides.
            await RecordAsync(outcome).ConfigureAwait(false);
            if (outcome.Convergence == ScaleOutcome.Pending)
            {
                convergence.Follow(outcome, started);
            }

            return outcome;
        }
        finally
        {
            gate.Release();
        }
    }

    public void Dispose()
    {
        foreach (var gate in _locks.Values)
        {
            gate.Dispose();
        }
    }

    private async Task<ScaleOutcome> DecideAndActAsync(ScaleRequest request, string key, ServiceBounds bounds, ScalerOptions o,
        Func<string, int?, int?, string, ScaleOutcome> outcome, long started, CancellationToken cancellationToken)
    {
        var engine = hosts.Engine(request.Host);
        var (services, node) = await figures.GetAsync(request.Host, engine, o.FiguresTtl, o.Ssh.CommandTimeout, cancellationToken).ConfigureAwait(false);
        var service = services.FirstOrDefault(s => s.Name == request.Service);
        if (service?.DesiredReplicas is not { } current)
        {
            return outcome(ScaleOutcome.Refused, null, null, $"no replicated service {request.Service} on {request.Host}");
        }

        var others = services.Where(s => s.Name != service.Name).ToList();
        var capacity = CapacityMath.MaxReplicas(node.Cpus, node.MemoryBytes, o.InfraReservationBytes,
            others.Sum(s => (s.DesiredReplicas ?? 1) * s.Limits.Cpus), others.Sum(s => (s.DesiredReplicas ?? 1) * s.Limits.MemoryBytes),
            service.Limits.Cpus, service.Limits.MemoryBytes);

        int desired;
        string reason;
        if (request.TargetReplicas is { } target)
        {
            // The seed's rule says the direction twice, as its scaling label and as its two counts
            // (checked against each other by the parser). Its active count can be older than what
            // runs now: an `up` alert never lowers the count, a `down` alert never raises it.
            if ((request.SeedScaling == "up" && target < current) || (request.SeedScaling == "down" && target > current))
            {
                return outcome(ScaleOutcome.Unchanged, current, current,
                    $"alert says {request.SeedScaling} to {target}, but {current} are set now; not scaling {(target < current ? "down" : "up")} on it");
            }

            desired = target;
            reason = $"alert asks for {target}";
        }
        else
        {
            // Alerts repeat while they fire; the evaluator's own stabilization windows pace it instead.
            if (request.Source != AlertSource.Evaluator && _lastAction.TryGetValue(key, out var last) && time.GetUtcNow() - last < o.Cooldown)
            {
                return outcome(ScaleOutcome.Unchanged, current, current, $"acted {(time.GetUtcNow() - last).TotalSeconds:0} s ago; cooldown {o.Cooldown.TotalSeconds:0} s");
            }

            if ((request.Usage ?? Usage(await engine.ContainerStatsAsync([service.Name], o.Ssh.CommandTimeout, cancellationToken).ConfigureAwait(false), service, o))
                is not { } usage)
            {
                return outcome(ScaleOutcome.Unchanged, current, current, "every container is still starting");
            }

            var decision = o.Mode == DecisionMode.Seed
                ? SeedStep(current, usage)
                : targetTracking.Decide(key, new ScaleInput(current, usage, bounds.Min, bounds.Max, capacity),
                    requireHistory: request.Source == AlertSource.Evaluator);
            desired = decision.Desired;
            reason = decision.Reason;
        }

        var ceiling = Math.Max(bounds.Min, Math.Min(bounds.Max, capacity));
        if (desired > ceiling || desired < bounds.Min)
        {
            var clamped = Math.Clamp(desired, bounds.Min, ceiling);
            reason += $"; {desired} held to {clamped} (bounds {bounds.Min}-{bounds.Max}, host capacity {capacity})";
            desired = clamped;
        }

        if (desired == current)
        {
            return outcome(ScaleOutcome.Unchanged, current, current, reason + "; already there");
        }

        // The lease check and the scale happen under the lease's lock (the host's lease gate), so a
        // deploy cannot start in between; see LeaseGate for a connection lost while locked.
        LeaseState? held;
        try
        {
            held = await engine.ScaleIfFreeAsync(service.Name, desired, o.Ssh.CommandTimeout, cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            // The effect of a failed call is unknown: read the figures afresh next time.
            figures.Forget(request.Host);
            throw;
        }

        if (held is not null)
        {
            return outcome(ScaleOutcome.Deferred, current, desired, $"deploy lease held by {held.Holder} ({held.Operation}) until {held.Expires:u}");
        }

        figures.Scaled(request.Host, service.Name, desired);
        _lastAction[key] = time.GetUtcNow();
        Interlocked.Increment(ref _version);
        var scaled = outcome(ScaleOutcome.Scaled, current, desired, reason);
        return scaled with { IssuedMs = scaled.DurationMs, Convergence = ScaleOutcome.Pending };
    }

    /// <summary>Notifies and records a decision. Not cancelled by the request: what was decided (or issued) is recorded.</summary>
    private async Task<ScaleOutcome> RecordAsync(ScaleOutcome outcome)
    {
        notifier.Notify(outcome);
        await log.RecordAsync(outcome, CancellationToken.None).ConfigureAwait(false);
        return outcome;
    }

    /// <summary>
    /// The service's usage as the decision reads it: CPU over its limit, or memory over its limit
    /// weighed against memory's own target (or threshold, in seed mode), whichever is higher,
    /// averaged over the containers. Containers still starting count as Kubernetes' HPA counts
    /// unready pods: at zero when the others ask for more replicas, at the target when they ask
    /// for fewer, so a start-up neither adds a replica nor removes one. Null when every container
    /// is starting: there is nothing to decide on yet.
    /// </summary>
    public static double? Usage(IReadOnlyList<ContainerStats> stats, SwarmService service, ScalerOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var (target, memoryWeight) = options.Mode == DecisionMode.Seed
            ? (SeedRule.CpuThreshold, SeedRule.CpuThreshold / SeedRule.MemoryThreshold)
            : (options.TargetTracking.TargetUsage, options.TargetTracking.TargetUsage / options.TargetTracking.MemoryTargetUsage);
        var mine = stats.Where(s => s.Service == service.Name).ToList();
        if (mine.Count == 0)
        {
            return 0;
        }

        var warm = mine.Where(s => !s.Starting).Select(s => Math.Max(
            service.Limits.Cpus > 0 ? s.CpuPercent / 100 / service.Limits.Cpus : 0,
            s.MemoryLimitBytes > 0 ? (double)s.MemoryBytes / s.MemoryLimitBytes * memoryWeight : 0)).ToList();
        if (warm.Count == 0)
        {
            return null;
        }

        var mean = warm.Average();
        var starting = mine.Count - warm.Count;
        return starting == 0 ? mean
            : mean > target ? Math.Max(target, warm.Sum() / mine.Count)
            : Math.Min(target, (warm.Sum() + (starting * target)) / mine.Count);
    }

    /// <summary>The seed's thresholds on the current sample: one step up over them, one down under both.</summary>
    private static ScaleDecision SeedStep(int current, double usage) =>
        usage > SeedRule.CpuThreshold
            ? new ScaleDecision(current, current + 1, current + 1, $"usage {usage:P0} over the seed's threshold")
            : new ScaleDecision(current, Math.Max(current - 1, 0), current, $"usage {usage:P0} under the seed's thresholds");
}
