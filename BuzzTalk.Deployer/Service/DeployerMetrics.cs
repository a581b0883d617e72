using System.Diagnostics.Metrics;
using System.Runtime.CompilerServices;
using BuzzTalk.Deployer.Rollout;

namespace BuzzTalk.Deployer.Service;

/// <summary>
/// Meter <c>BuzzTalk.Deployer</c>: per instance whether it runs the desired release (the drift
/// monitor's last look), and the desired revision. Exported on <c>/metrics</c>; the published
/// rules alert on drift that lasts.
/// </summary>
public sealed class DeployerMetrics : IDisposable
{
    public const string MeterName = "BuzzTalk.Deployer";

    /// <summary>The label naming the instance; not <c>instance</c>, which Prometheus gives the scraped target.</summary>
    public const string InstanceLabel = "instance_name";

    private readonly Meter _meter;
    private volatile IReadOnlyList<InstanceStatus> _statuses = [];
    private volatile StrongBox<long>? _desiredRevision;

    public DeployerMetrics(IMeterFactory meters)
    {
        ArgumentNullException.ThrowIfNull(meters);
        _meter = meters.Create(MeterName);
        _meter.CreateObservableGauge("buzztalk.deployer.instance.drift", ObserveDrift, "{instance}",
            "1 while the instance does not run the desired release (another release, other env files, waiting for its first boot, or unreadable), 0 once it does.");
        _meter.CreateObservableGauge("buzztalk.deployer.desired.revision", ObserveRevision, "{revision}",
            "Revision of the desired release the fleet should run.");
    }

    /// <summary>The drift monitor's latest statuses (already compared with the desired release).</summary>
    public void Publish(IReadOnlyList<InstanceStatus> statuses, long? desiredRevision)
    {
        ArgumentNullException.ThrowIfNull(statuses);
        _statuses = statuses;
        _desiredRevision = desiredRevision is { } revision ? new StrongBox<long>(revision) : null;
    }

    /// <summary>Instance name → 1 (drift) or 0, as last published.</summary>
    public IReadOnlyDictionary<string, int> Drift() =>
        _statuses.ToDictionary(s => s.Instance, s => s.Drift is null ? 0 : 1, StringComparer.Ordinal);

    public void Dispose() => _meter.Dispose();

    private IEnumerable<Measurement<int>> ObserveDrift() =>
        _statuses.Select(s => new Measurement<int>(s.Drift is null ? 0 : 1, new KeyValuePair<string, object?>(InstanceLabel, s.Instance)));

    private IEnumerable<Measurement<long>> ObserveRevision() =>
        _desiredRevision is { } revision ? [new Measurement<long>(revision.Value)] : [];
}
