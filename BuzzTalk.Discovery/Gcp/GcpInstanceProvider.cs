using System.Collections.Concurrent;
using BuzzTalk.Discovery.Configuration;
using BuzzTalk.Discovery.Providers;
using BuzzTalk.Fleet.Inventory;
using Microsoft.Extensions.Options;

namespace BuzzTalk.Discovery.Gcp;

/// <summary>
/// RUNNING instances with a public IP, from the whole project (<c>instances.aggregatedList</c>)
/// or from one regional managed instance group (<c>listManagedInstances</c> + <c>instances.get</c>).
/// </summary>
public sealed class GcpInstanceProvider(ComputeClient compute, IOptions<DiscoveryOptions> options) : IInstanceProvider
{
    private const string Running = "RUNNING";

    public string Name => "gcp";

    public async Task<IReadOnlyList<FleetInstance>> ListAsync(CancellationToken cancellationToken)
    {
        var gcp = options.Value.Gcp;
        IEnumerable<ComputeInstance> instances;
        string? group = gcp.ManagedInstanceGroup;
        if (group is null)
        {
            instances = await compute.ListAllInstancesAsync(gcp.ProjectId, cancellationToken).ConfigureAwait(false);
        }
        else
        {
            instances = await ListGroupAsync(gcp, group, cancellationToken).ConfigureAwait(false);
        }

        var fleet = instances
            .Where(i => i.Status == Running)
            .Select(i => ToFleetInstance(i, gcp.ProjectId, group))
            .OfType<FleetInstance>()
            .OrderBy(i => i.Name, StringComparer.Ordinal)
            .ToList();
        return InstanceValidator.Validate(fleet, "Compute API");
    }

    private async Task<IEnumerable<ComputeInstance>> ListGroupAsync(GcpOptions gcp, string group, CancellationToken cancellationToken)
    {
        var members = await compute.ListManagedInstancesAsync(gcp.ProjectId, gcp.Region!, group, cancellationToken).ConfigureAwait(false);
        // Members being created have no VM yet; only running ones are worth a details call.
        var running = members.Where(m => m.InstanceStatus == Running && m.Instance is not null).ToList();
        var details = new ConcurrentBag<ComputeInstance>();
        await Parallel.ForEachAsync(running,
            new ParallelOptions { MaxDegreeOfParallelism = gcp.MaxParallelCalls, CancellationToken = cancellationToken },
            async (member, ct) =>
            {
                var (zone, name) = ZoneAndName(member.Instance!);
                details.Add(await compute.GetInstanceAsync(gcp.ProjectId, zone, name, ct).ConfigureAwait(false));
            }).ConfigureAwait(false);
        return details;
    }

    private static FleetInstance? ToFleetInstance(ComputeInstance instance, string projectId, string? group)
    {
        var nic = instance.NetworkInterfaces?.FirstOrDefault();
        var natIp = nic?.AccessConfigs?.Select(a => a.NatIP).FirstOrDefault(ip => !string.IsNullOrEmpty(ip));
        if (natIp is null || string.IsNullOrEmpty(instance.Name))
        {
            return null; // not reachable from outside: nothing to scrape, scale or deploy to
        }

        var spot = instance.Scheduling?.ProvisioningModel == "SPOT" || instance.Scheduling?.Preemptible == true;
        return new FleetInstance
        {
            Name = instance.Name,
            Id = instance.Id ?? "",
            PublicIp = natIp,
            PrivateIp = nic?.NetworkIP ?? "",
            Zone = LastSegment(instance.Zone),
            ProjectId = projectId,
            ManagedGroup = group ?? LastSegment(instance.Metadata?.Items?.FirstOrDefault(i => i.Key == "created-by")?.Value),
            ProvisioningModel = spot ? ProvisioningModels.Spot : ProvisioningModels.Standard,
        };
    }

    /// <summary><c>https://.../projects/p/zones/z/instances/n</c> to (z, n).</summary>
    private static (string Zone, string Name) ZoneAndName(string instanceUrl)
    {
        var segments = new Uri(instanceUrl).AbsolutePath.Split('/', StringSplitOptions.RemoveEmptyEntries);
        var zoneIndex = Array.IndexOf(segments, "zones");
        if (zoneIndex < 0 || segments.Length < zoneIndex + 4 || segments[zoneIndex + 2] != "instances")
        {
            throw new InvalidDataException($"Unexpected instance URL {instanceUrl}.");
        }

        return (segments[zoneIndex + 1], segments[zoneIndex + 3]);
    }

    private static string LastSegment(string? url) =>
        string.IsNullOrEmpty(url) ? "" : url[(url.TrimEnd('/').LastIndexOf('/') + 1)..];
}
