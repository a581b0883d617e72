using System.Net;
using BuzzTalk.Fleet.Inventory;

namespace BuzzTalk.Discovery.Providers;

/// <summary>
/// Rejects a whole instance list with a bad entry rather than publishing it: the Scaler and the
/// Deployer act on these addresses.
/// </summary>
public static class InstanceValidator
{
    public static IReadOnlyList<FleetInstance> Validate(IReadOnlyList<FleetInstance> instances, string source)
    {
        var names = new HashSet<string>(StringComparer.Ordinal);
        foreach (var instance in instances)
        {
            if (string.IsNullOrWhiteSpace(instance.Name))
            {
                throw new InvalidDataException($"{source}: an instance has no name.");
            }

            if (!IPAddress.TryParse(instance.PublicIp, out _))
            {
                throw new InvalidDataException($"{source}: instance {instance.Name} has no valid public IP ('{instance.PublicIp}').");
            }

            if (instance.PrivateIp.Length > 0 && !IPAddress.TryParse(instance.PrivateIp, out _))
            {
                throw new InvalidDataException($"{source}: instance {instance.Name} has an invalid private IP ('{instance.PrivateIp}').");
            }

            if (!names.Add(instance.Name))
            {
                throw new InvalidDataException($"{source}: instance name {instance.Name} appears twice.");
            }
        }

        return instances;
    }
}
