using BuzzTalk.Fleet.Swarm;

namespace BuzzTalk.Scaler.Execution;

/// <summary>
/// One host's containers as the evaluator has seen them: a container first seen less than the
/// grace ago is marked starting, as one whose health check has not passed is, because start-up
/// CPU is not load. The first look finds containers already running: those are not new.
/// </summary>
public sealed class ContainerWarmup(TimeSpan grace)
{
    private Dictionary<string, DateTimeOffset>? _firstSeen;

    public IReadOnlyList<ContainerStats> Mark(IReadOnlyList<ContainerStats> stats, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(stats);
        var known = _firstSeen;
        var seen = new Dictionary<string, DateTimeOffset>(StringComparer.Ordinal);
        foreach (var s in stats)
        {
            seen[s.ContainerId] = known is null ? DateTimeOffset.MinValue : known.GetValueOrDefault(s.ContainerId, now);
        }

        // Only the containers running now are kept: the map never outgrows the host.
        _firstSeen = seen;
        return [.. stats.Select(s => s.Starting || now - seen[s.ContainerId] >= grace ? s : s with { Starting = true })];
    }
}
