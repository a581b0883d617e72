using System.Globalization;
using BuzzTalk.Scaler.State;

namespace BuzzTalk.Scaler.Decisions;

/// <summary>
/// desired = ceil(active × usage / target), ignored inside the tolerance band, stabilised like
/// Kubernetes' HPA (a scale-up takes the lowest recommendation of the up window, a scale-down the
/// highest of the down window, so one spike or one quiet sample moves nothing), limited per
/// step, then held within the service's min/max and the host's capacity.
/// </summary>
public sealed class TargetTrackingEngine(TargetTrackingOptions options, TimeProvider time)
{
    private readonly Dictionary<string, List<(DateTimeOffset At, int Replicas)>> _history = new(StringComparer.Ordinal);
    private readonly Dictionary<string, DateTimeOffset> _firstSeen = new(StringComparer.Ordinal);
    private readonly Lock _lock = new();
    private long _version;

    /// <summary>Changes with every decision (the state store saves then).</summary>
    public long Version => Interlocked.Read(ref _version);

    /// <summary>The recommendations still inside a stabilization window, per key.</summary>
    public Dictionary<string, List<TimedValue>> ExportRecommendations()
    {
        var now = time.GetUtcNow();
        var keep = Keep;
        lock (_lock)
        {
            return _history
                .Select(h => (h.Key, Recent: h.Value.Where(r => now - r.At <= keep).Select(r => new TimedValue(r.At, r.Replicas)).ToList()))
                .Where(h => h.Recent.Count > 0)
                .ToDictionary(h => h.Key, h => h.Recent, StringComparer.Ordinal);
        }
    }

    /// <summary>
    /// Takes back saved recommendations (at start), those still inside a window, so a restart
    /// neither forgets a recent high (and scales down at once) nor a recent low. When each key was
    /// first watched is not taken back: the restart left a gap without samples, so the evaluator
    /// watches a whole window again before it acts on its own samples.
    /// </summary>
    public void RestoreRecommendations(IReadOnlyDictionary<string, List<TimedValue>> saved)
    {
        ArgumentNullException.ThrowIfNull(saved);
        var now = time.GetUtcNow();
        var keep = Keep;
        lock (_lock)
        {
            foreach (var (key, values) in saved)
            {
                var recent = values
                    .Where(v => now - v.At <= keep && v.At <= now && v.Value is >= 0 and <= BuzzTalk.Fleet.Swarm.SwarmNames.MaxReplicas && v.Value == Math.Floor(v.Value))
                    .OrderBy(v => v.At).Select(v => (v.At, (int)v.Value)).ToList();
                if (recent.Count > 0)
                {
                    _history[key] = recent;
                }
            }
        }
    }

    private TimeSpan Keep => options.ScaleUpStabilization > options.ScaleDownStabilization ? options.ScaleUpStabilization : options.ScaleDownStabilization;

    /// <param name="key">The (host, service) the history belongs to.</param>
    /// <param name="input">The service's figures now.</param>
    /// <param name="requireHistory">
    /// Act only once this key has been watched for a whole stabilization window (the evaluator's
    /// own samples: one sample is not a sustained overload). Alerts are already sustained by
    /// their rule's <c>for</c> clause and pass false.
    /// </param>
    public ScaleDecision Decide(string key, ScaleInput input, bool requireHistory = false)
    {
        var now = time.GetUtcNow();
        var recommended = Recommend(input);
        int upLimit, downLimit;
        lock (_lock)
        {
            if (!_history.TryGetValue(key, out var history))
            {
                _history[key] = history = [];
            }

            history.Add((now, recommended));
            Interlocked.Increment(ref _version);
            var watched = now - (_firstSeen.TryGetValue(key, out var first) ? first : _firstSeen[key] = now);
            var keep = Keep;
            history.RemoveAll(h => now - h.At > keep);
            upLimit = requireHistory && watched < options.ScaleUpStabilization
                ? input.Active
                : history.Where(h => now - h.At <= options.ScaleUpStabilization).Min(h => h.Replicas);
            downLimit = requireHistory && watched < options.ScaleDownStabilization
                ? input.Active
                : history.Where(h => now - h.At <= options.ScaleDownStabilization).Max(h => h.Replicas);
        }

        var current = input.Active;
        string reason;
        int desired;
        if (current < upLimit)
        {
            desired = Math.Min(upLimit, current + options.MaxStepUp);
            reason = $"usage {Percent(input.Usage)} over target {Percent(options.TargetUsage)}";
        }
        else if (current > downLimit)
        {
            desired = Math.Max(downLimit, current - options.MaxStepDown);
            reason = $"usage {Percent(input.Usage)} under target {Percent(options.TargetUsage)} for {options.ScaleDownStabilization.TotalSeconds:0} s";
        }
        else
        {
            desired = current;
            reason = recommended == current ? "within tolerance" : "held by the stabilization window";
        }

        var ceiling = Math.Min(input.Max, input.HostCapacity);
        if (desired > ceiling)
        {
            reason += input.HostCapacity < input.Max
                ? $"; capped at {ceiling} by host capacity"
                : $"; capped at the service maximum {ceiling}";
            desired = ceiling;
        }

        if (desired < input.Min)
        {
            desired = input.Min;
            reason += $"; raised to the service minimum {input.Min}";
        }

        return new ScaleDecision(current, desired, recommended, reason);
    }

    private int Recommend(ScaleInput input)
    {
        if (input.Active == 0)
        {
            return Math.Max(input.Min, 1);
        }

        var ratio = input.Usage / options.TargetUsage;
        return Math.Abs(ratio - 1) <= options.Tolerance
            ? input.Active
            : (int)Math.Ceiling(Math.Round(input.Active * ratio, 9));
    }

    private static string Percent(double value) => value.ToString("P0", CultureInfo.InvariantCulture);
}
