using System.Collections.Concurrent;
using BuzzTalk.Fleet.Swarm;

namespace BuzzTalk.Scaler.Execution;

/// <summary>
/// Each host's services and node capacity, read over SSH at most every
/// <c>Scaler:FiguresTtl</c> and updated by the Scaler's own scale commands, so an alert costs one
/// remote command (the lease-guarded scale) instead of four. Capacity changes rarely; a count
/// changed by someone else shows within the TTL, and scaling to the count already set is a no-op.
/// </summary>
public sealed class HostFigures(TimeProvider time)
{
    private readonly ConcurrentDictionary<string, Entry> _entries = new(StringComparer.Ordinal);

    public async Task<(IReadOnlyList<SwarmService> Services, Resources Node)> GetAsync(string host, SwarmClient swarm, TimeSpan ttl, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(swarm);
        if (_entries.TryGetValue(host, out var entry) && time.GetUtcNow() - entry.Read < ttl)
        {
            return (entry.Services, entry.Node);
        }

        var services = await swarm.ListServicesAsync(cancellationToken).ConfigureAwait(false);
        var node = await swarm.NodeCapacityAsync(cancellationToken).ConfigureAwait(false);
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
