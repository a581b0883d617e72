using BuzzTalk.Discovery.Providers;
using BuzzTalk.Fleet.Inventory;

namespace BuzzTalk.Discovery.Gcp;

/// <summary>
/// Compute instances of one refresh to <see cref="DiscoveredInstance"/>s: checks each instance's addresses
/// strictly, keeps one instance per zone and name, and interns the values instances share. An instance that
/// has not changed since <paramref name="previous"/> (the last refresh's list, in publication order) is that
/// same object: a steady inventory then allocates nothing that outlives the refresh, and the GC's oldest
/// generation does not fill with copies of it.
/// </summary>
internal sealed class GceInstanceMapper(string projectId, string? managedGroup, IReadOnlyList<string> metadataKeys, IReadOnlyList<DiscoveredInstance> previous)
{
    private readonly StringPool _pool = new();
    private readonly Dictionary<(string Prefix, string Key), string> _labelNames = [];
    private readonly List<DiscoveredInstance> _instances = new(previous.Count);
    private readonly List<DroppedInstance> _dropped = [];
    private readonly HashSet<string> _metadataKeys = new(metadataKeys.Where(k => !GceLabelNames.IsSecretMetadataKey(k)), StringComparer.Ordinal);

    public void Add(ComputeInstance instance)
    {
        var zone = _pool.Intern(LastSegment(instance.Zone));
        var name = instance.Name ?? "";
        var nic = instance.NetworkInterfaces?.FirstOrDefault();
        // As gce_sd: the first access config of the first interface, if it is a one-to-one NAT.
        var natIp = nic?.AccessConfigs?.Select(a => a.NatIP).FirstOrDefault(ip => !string.IsNullOrEmpty(ip));
        if (natIp is null)
        {
            return; // not reachable from outside: nothing to scrape, scale or deploy to
        }

        if (name.Length == 0)
        {
            Drop(zone, name, DropReasons.NoName, "no name");
            return;
        }

        if (!IpAddressText.IsCanonicalIPv4(natIp))
        {
            Drop(zone, name, DropReasons.InvalidPublicIp, natIp);
            return;
        }

        var privateIp = nic?.NetworkIP ?? "";
        if (privateIp.Length > 0 && !IpAddressText.IsCanonicalIPv4(privateIp))
        {
            Drop(zone, name, DropReasons.InvalidPrivateIp, privateIp);
            return;
        }

        var spot = instance.Scheduling?.ProvisioningModel == "SPOT" || instance.Scheduling?.Preemptible == true;
        _instances.Add(new DiscoveredInstance
        {
            Name = name,
            Id = instance.Id ?? "",
            PublicIp = natIp,
            PrivateIp = privateIp,
            Zone = zone,
            ProjectId = _pool.Intern(projectId),
            ManagedGroup = _pool.Intern(managedGroup ?? LastSegment(instance.Metadata?.Items?.FirstOrDefault(i => i.Key == "created-by")?.Value)),
            ProvisioningModel = spot ? ProvisioningModels.Spot : ProvisioningModels.Standard,
            Gce = new GceDetails
            {
                Status = _pool.Intern(instance.Status),
                ZoneUrl = _pool.Intern(instance.Zone),
                MachineType = _pool.Intern(instance.MachineType),
                Network = _pool.Intern(nic?.Network),
                Subnetwork = _pool.Intern(nic?.Subnetwork),
                Tags = instance.Tags?.Items is { Count: > 0 } tags
                    ? _pool.Intern(GceLabelNames.TagSeparator + string.Join(GceLabelNames.TagSeparator, tags) + GceLabelNames.TagSeparator)
                    : "",
                Labels = Labels(instance.Labels),
                Metadata = Metadata(instance.Metadata),
            },
        });
    }

    public InstanceList ToList()
    {
        _instances.Sort(DiscoveredInstance.Compare);
        var kept = 0;
        var old = 0;
        for (var i = 0; i < _instances.Count; i++)
        {
            var instance = _instances[i];
            if (kept > 0 && DiscoveredInstance.Compare(_instances[kept - 1], instance) == 0)
            {
                Drop(instance.Zone, instance.Name, DropReasons.Duplicate, "listed twice");
                continue;
            }

            // Both lists are in publication order: walk the previous one alongside.
            while (old < previous.Count && DiscoveredInstance.Compare(previous[old], instance) < 0)
            {
                old++;
            }

            _instances[kept++] = old < previous.Count && previous[old].SameAs(instance) ? previous[old] : instance;
        }

        _instances.RemoveRange(kept, _instances.Count - kept);
        return new InstanceList(_instances, _dropped);
    }

    private void Drop(string zone, string name, string reason, string detail) =>
        _dropped.Add(new DroppedInstance(zone, name, reason, detail.Length > 64 ? detail[..64] + "…" : detail));

    private KeyValuePair<string, string>[] Labels(Dictionary<string, string>? labels)
    {
        if (labels is not { Count: > 0 })
        {
            return [];
        }

        var result = new KeyValuePair<string, string>[labels.Count];
        var i = 0;
        foreach (var (key, value) in labels.OrderBy(l => l.Key, StringComparer.Ordinal))
        {
            result[i++] = new(LabelName(GceLabelNames.LabelPrefix, key), _pool.Intern(value));
        }

        return result;
    }

    private KeyValuePair<string, string>[] Metadata(InstanceMetadata? metadata)
    {
        if (_metadataKeys.Count == 0 || metadata?.Items is not { Count: > 0 } items)
        {
            return [];
        }

        List<KeyValuePair<string, string>>? result = null;
        foreach (var item in items)
        {
            if (item.Key is { } key && item.Value is { } value && _metadataKeys.Contains(key))
            {
                (result ??= []).Add(new(LabelName(GceLabelNames.MetadataPrefix, key), _pool.Intern(value)));
            }
        }

        return result is null ? [] : [.. result];
    }

    private string LabelName(string prefix, string key)
    {
        if (!_labelNames.TryGetValue((prefix, key), out var name))
        {
            _labelNames[(prefix, key)] = name = GceLabelNames.Sanitize(prefix, key);
        }

        return name;
    }

    private static string LastSegment(string? url) =>
        string.IsNullOrEmpty(url) ? "" : url[(url.TrimEnd('/').LastIndexOf('/') + 1)..];
}
