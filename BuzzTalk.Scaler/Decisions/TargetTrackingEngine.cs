using System.Globalization;

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
            var watched = now - (_firstSeen.TryGetValue(key, out var first) ? first : _firstSeen[key] = now);
            var keep = options.ScaleUpStabilization > options.ScaleDownStabilization ? options.ScaleUpStabilization : options.ScaleDownStabilization;
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
