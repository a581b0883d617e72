using System.Diagnostics.Metrics;

namespace BuzzTalk.Discovery.Refresh;

/// <summary>Meter <c>BuzzTalk.Discovery</c>, exported on <c>/metrics</c> and to OTLP.</summary>
public sealed class DiscoveryMetrics : IDisposable
{
    public const string MeterName = "BuzzTalk.Discovery";
    private readonly Meter _meter;
    private readonly Counter<long> _failures;
    private readonly Counter<long> _fileWrites;
    private readonly Counter<long> _dropped;
    private readonly Counter<long> _preemptions;
    private readonly Counter<long> _preemptionPollFailures;
    private readonly Histogram<double> _duration;

    public DiscoveryMetrics(IMeterFactory meters, InventoryStore store)
    {
        _meter = meters.Create(MeterName);
        _meter.CreateObservableGauge("buzztalk.discovery.targets", () => store.Current.Instances.Count,
            "{instance}", "Instances in the last good inventory.");
        _meter.CreateObservableGauge("buzztalk.discovery.last_success", () => LastSuccess(store),
            "s", "Unix time of the last successful refresh (0 before the first; for a restored inventory, its refresh before the restart).");
        _meter.CreateObservableGauge("buzztalk.discovery.consecutive_failures", () => store.Current.ConsecutiveFailures,
            "{refresh}", "Failed refreshes since the last success.");
        _meter.CreateObservableGauge("buzztalk.discovery.stale", () => store.Current.Restored ? 1 : 0,
            null, "1 while serving the inventory saved before a restart (no refresh has succeeded since start), else 0.");
        _meter.CreateObservableGauge("buzztalk.discovery.instances.invalid", () => store.Current.Dropped,
            "{instance}", "Instances left out of the last successful refresh because of invalid data (see instances.dropped).");
        _failures = _meter.CreateCounter<long>("buzztalk.discovery.refresh.failures", "{refresh}", "Failed refreshes.");
        _fileWrites = _meter.CreateCounter<long>("buzztalk.discovery.file_sd.writes", "{file}", "file_sd files rewritten because their content changed.");
        _dropped = _meter.CreateCounter<long>("buzztalk.discovery.instances.dropped", "{instance}",
            "Instances left out of the inventory, by reason: invalid data (invalid_public_ip, invalid_private_ip, no_name, duplicate), counted every refresh; "
            + "preempted, counted once when the preemption watch takes the instance out.");
        _preemptions = _meter.CreateCounter<long>("buzztalk.discovery.preemptions", "{instance}",
            "Preemptions Compute Engine recorded (compute.instances.preempted operations), counted when the preemption watch first sees each, served instance or not.");
        _preemptionPollFailures = _meter.CreateCounter<long>("buzztalk.discovery.preemption.poll.failures", "{poll}",
            "Failed polls of the preemption watch (the inventory is left as it was).");
        _duration = _meter.CreateHistogram<double>("buzztalk.discovery.refresh.duration", "s", "Duration of a refresh, successful or not.");
    }

    public void RefreshFailed(string provider) => _failures.Add(1, new KeyValuePair<string, object?>("provider", provider));

    public void RefreshTook(TimeSpan duration, string provider, bool success) =>
        _duration.Record(duration.TotalSeconds,
            new KeyValuePair<string, object?>("provider", provider),
            new KeyValuePair<string, object?>("outcome", success ? "success" : "failure"));

    public void FileWritten(string format) => _fileWrites.Add(1, new KeyValuePair<string, object?>("format", format));

    public void Dropped(string provider, string reason) =>
        _dropped.Add(1, new KeyValuePair<string, object?>("provider", provider), new KeyValuePair<string, object?>("reason", reason));

    public void Preempted(int count) => _preemptions.Add(count);

    public void PreemptionPollFailed() => _preemptionPollFailures.Add(1);

    public void Dispose() => _meter.Dispose();

    private static double LastSuccess(InventoryStore store) =>
        store.Current.LastSuccess is { } at ? at.ToUnixTimeMilliseconds() / 1000.0 : 0;
}
