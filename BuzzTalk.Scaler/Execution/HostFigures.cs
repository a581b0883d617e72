using System.Collections.Concurrent;
using BuzzTalk.Fleet.Swarm;

namespace BuzzTalk.Scaler.Execution;

/// <summary>
/// Each host's services and node capacity, read through the host's Engine API channel at most
/// every <c>Scaler:FiguresTtl</c> and updated by the Scaler's own scales, so an alert costs only
/// the lease-guarded scale. Capacity changes rarely; a count changed by someone else shows within
/// the TTL, and scaling to the count already set is a no-op.
/// </summary>
public sealed class HostFigures(TimeProvider time)
{
    private readonly ConcurrentDictionary<string, Entry> _entries = new(StringComparer.Ordinal);

    public async Task<(IReadOnlyList<SwarmService> Services, Resources Node)> GetAsync(string host, HostEngine engine, TimeSpan ttl, TimeSpan timeout,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(engine);
        if (_entries.TryGetValue(host, out var entry) && time.GetUtcNow() - entry.Read < ttl)
        {
            return (entry.Services, entry.Node);
        }

        var services = await engine.ListServicesAsync(timeout, cancellationToken).ConfigureAwait(false);
        var node = await engine.NodeCapacityAsync(timeout, cancellationToken).ConfigureAwait(false);
        _entries[host] = new Entry(services, node, time.GetUtcNow());
        return (services, node);
    }

    /// <summary>Records a count this Scaler set, so the next decision starts from it.</summary>
    public void Scaled(string host, string service, int replicas)
    {
        if (_entries.TryGetValue(host, out var entry))
        {
            _entries[host] = entry with
            {
                Services = [.. entry.Services.Select(s => s.Name == service ? s with { DesiredReplicas = replicas } : s)],
            };
        }
    }

    /// <summary>Forgets a host's figures (after a failed command, whose effect is unknown).</summary>
    public void Forget(string host) => _entries.TryRemove(host, out _);

    private sealed record Entry(IReadOnlyList<SwarmService> Services, Resources Node, DateTimeOffset Read);
}
