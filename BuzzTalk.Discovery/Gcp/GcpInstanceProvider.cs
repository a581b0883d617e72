using System.Collections.Concurrent;
using BuzzTalk.Discovery.Configuration;
using BuzzTalk.Discovery.Providers;
using Microsoft.Extensions.Options;

namespace BuzzTalk.Discovery.Gcp;

/// <summary>
/// RUNNING instances with a public IP, from the whole project (<c>instances.aggregatedList</c>)
/// or from one regional managed instance group (<c>listManagedInstances</c> + <c>instances.get</c>).
/// Each is mapped to a compact <see cref="DiscoveredInstance"/> as its page is read. Instances are
/// identified by zone and name (Compute allows one name in several zones); one with a malformed
/// address is left out and reported, and the rest is published.
/// </summary>
public sealed class GcpInstanceProvider(ComputeClient compute, IOptions<DiscoveryOptions> options) : IInstanceProvider
{
    private const string Running = "RUNNING";

    private IReadOnlyList<DiscoveredInstance> _previous = [];

    public string Name => "gcp";

    public string Source
    {
        get
        {
            var gcp = options.Value.Gcp;
            return gcp.ManagedInstanceGroup is { } group ? $"gcp:{gcp.ProjectId}/{gcp.Region}/{group}" : $"gcp:{gcp.ProjectId}";
        }
    }

    public async Task<InstanceList> ListAsync(CancellationToken cancellationToken)
    {
        var gcp = options.Value.Gcp;
        var mapper = new GceInstanceMapper(gcp.ProjectId, gcp.ManagedInstanceGroup, gcp.MetadataKeys, Volatile.Read(ref _previous));
        if (gcp.ManagedInstanceGroup is not { } group)
        {
            await foreach (var instance in compute.ListAllInstancesAsync(gcp.ProjectId, cancellationToken).ConfigureAwait(false))
            {
                if (instance.Status == Running)
                {
                    mapper.Add(instance);
                }
            }
        }
        else
        {
            foreach (var instance in await ListGroupAsync(gcp, group, cancellationToken).ConfigureAwait(false))
            {
                if (instance.Status == Running)
                {
                    mapper.Add(instance);
                }
            }
        }

        var list = mapper.ToList();
        Volatile.Write(ref _previous, list.Instances);
        return list;
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
}
