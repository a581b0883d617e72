using BuzzTalk.Discovery.Providers;

namespace BuzzTalk.Discovery.Refresh;

/// <summary>
/// Ids of the instances the preemption watch found preempted, kept out of what the refreshes publish: Compute Engine
/// lists a preempted VM RUNNING for up to its 30 s notice, so a refresh would bring it back. Ids, never names: a
/// managed group recreates a preempted VM under the same name with a new id, served as soon as a refresh lists it.
/// An id is forgotten once a refresh that started after it was recorded no longer lists it (the VM stopped), and
/// after <see cref="Retention"/> at most, so a VM started again under its old id is served again. Empty for the
/// static and file providers. Not thread-safe: used under <see cref="InventoryPublisher"/>'s gate.
/// </summary>
public sealed class PreemptedInstances
{
    /// <summary>Longest an id is kept out (a stopped spot VM started again keeps its id).</summary>
    public static readonly TimeSpan Retention = TimeSpan.FromHours(1);

    /// <summary>Id to when it was recorded (this machine's clock, as the refreshes' start times it is compared with).</summary>
    private readonly Dictionary<ulong, DateTimeOffset> _ids = [];

    public int Count => _ids.Count;

    public bool Contains(DiscoveredInstance instance) => _ids.Count > 0 && instance.TryGetGceId(out var id) && _ids.ContainsKey(id);

    /// <summary>Records <paramref name="ids"/> as preempted; an id already kept out keeps its first time.</summary>
    public void Record(IEnumerable<ulong> ids, DateTimeOffset at)
    {
        foreach (var id in ids)
        {
            _ids.TryAdd(id, at);
        }
    }

    /// <summary>
    /// What a refresh that began listing at <paramref name="listedSince"/> publishes: <paramref name="listed"/>
    /// without the preempted instances (the same list when there are none). Forgets the ids it no longer lists.
    /// </summary>
    public IReadOnlyList<DiscoveredInstance> Filter(IReadOnlyList<DiscoveredInstance> listed, DateTimeOffset listedSince, DateTimeOffset now)
    {
        if (_ids.Count == 0)
        {
            return listed;
        }

        foreach (var (id, at) in _ids)
        {
            if (now - at >= Retention)
            {
                _ids.Remove(id);
            }
        }

        List<DiscoveredInstance>? kept = null;
        HashSet<ulong>? stillListed = null;
        for (var i = 0; i < listed.Count; i++)
        {
            var instance = listed[i];
            if (instance.TryGetGceId(out var id) && _ids.ContainsKey(id))
            {
                (stillListed ??= []).Add(id);
                kept ??= [.. listed.Take(i)];
                continue;
            }

            kept?.Add(instance);
        }

        // An id recorded while this refresh was listing may name a VM its pages were read before: kept until the next.
        foreach (var (id, at) in _ids)
        {
            if (at < listedSince && stillListed?.Contains(id) != true)
            {
                _ids.Remove(id);
            }
        }

        return kept ?? listed;
    }
}
