using BuzzTalk.Fleet.Inventory;

namespace BuzzTalk.Discovery.Providers;

/// <summary>
/// Checks a configured instance list (the static and file providers) and rejects it whole on a bad entry: an
/// operator's typo should stop the refresh loudly, not silently shrink the fleet the Scaler and Deployer act on.
/// Instances are identified by zone and name, as Compute Engine identifies them. (The GCP provider instead drops
/// and counts a bad instance: one malformed VM must not freeze the inventory.)
/// </summary>
public static class InstanceValidator
{
    public static IReadOnlyList<FleetInstance> Validate(IReadOnlyList<FleetInstance> instances, string source)
    {
        var seen = new HashSet<(string Zone, string Name)>();
        foreach (var instance in instances)
        {
            if (string.IsNullOrWhiteSpace(instance.Name))
            {
                throw new InvalidDataException($"{source}: an instance has no name.");
            }

            if (!IpAddressText.TryCanonical(instance.PublicIp, out _))
            {
                throw new InvalidDataException(
                    $"{source}: instance {instance.Name} has no valid public IP ('{instance.PublicIp}'; a dotted-quad IPv4 or an IPv6 address).");
            }

            if (instance.PrivateIp.Length > 0 && !IpAddressText.TryCanonical(instance.PrivateIp, out _))
            {
                throw new InvalidDataException($"{source}: instance {instance.Name} has an invalid private IP ('{instance.PrivateIp}').");
            }

            if (!seen.Add((instance.Zone, instance.Name)))
            {
                throw new InvalidDataException(
                    $"{source}: instance {instance.Name} appears twice{(instance.Zone.Length > 0 ? $" in zone {instance.Zone}" : "")}.");
            }
        }

        return instances;
    }

    /// <summary>Validates, then gives the instances with canonical addresses in publication order.</summary>
    public static InstanceList ToInventory(IReadOnlyList<FleetInstance> instances, string source)
    {
        Validate(instances, source);
        var pool = new StringPool();
        var list = new DiscoveredInstance[instances.Count];
        for (var i = 0; i < list.Length; i++)
        {
            var instance = instances[i];
            IpAddressText.TryCanonical(instance.PublicIp, out var publicIp);
            IpAddressText.TryCanonical(instance.PrivateIp, out var privateIp);
            list[i] = new DiscoveredInstance
            {
                Name = instance.Name,
                Id = instance.Id,
                PublicIp = publicIp,
                PrivateIp = privateIp,
                Zone = pool.Intern(instance.Zone),
                ProjectId = pool.Intern(instance.ProjectId),
                ManagedGroup = pool.Intern(instance.ManagedGroup),
                ProvisioningModel = pool.Intern(instance.ProvisioningModel),
            };
        }

        Array.Sort(list, DiscoveredInstance.Compare);
        return InstanceList.Of(list);
    }
}
