using System.Globalization;
using System.Text.Json.Serialization;
using BuzzTalk.Fleet.Inventory;

namespace BuzzTalk.Discovery.Providers;

/// <summary>
/// One published instance, kept compact for inventories of tens of thousands: the values many instances share
/// (zone, project, group, machine type, network, labels) are one string each, interned per refresh (see
/// <see cref="StringPool"/>). The fleet fields are those of <see cref="FleetInstance"/>; the GCE ones are set by the
/// GCP provider only and become Prometheus gce_sd's <c>__meta_gce_*</c> labels.
/// </summary>
public sealed class DiscoveredInstance
{
    public required string Name { get; init; }

    /// <summary>The provider's id; for GCP the instance's uint64 id as Google's decimal text, which the labels publish.</summary>
    public string Id { get; init; } = "";

    /// <summary>Canonical text of the address the fleet is reached at (GCP: the NAT IP).</summary>
    public required string PublicIp { get; init; }

    public string PrivateIp { get; init; } = "";

    public string Zone { get; init; } = "";

    public string ProjectId { get; init; } = "";

    public string ManagedGroup { get; init; } = "";

    public string ProvisioningModel { get; init; } = ProvisioningModels.Standard;

    /// <summary>GCE details; null for the static and file providers.</summary>
    public GceDetails? Gce { get; init; }

    [JsonIgnore]
    public bool PublicIpIsV6 => PublicIp.Contains(':', StringComparison.Ordinal);

    /// <summary>The GCE instance id as a number (a preemption names its instance by it); false when <see cref="Id"/> is none.</summary>
    public bool TryGetGceId(out ulong id) => ulong.TryParse(Id, NumberStyles.None, CultureInfo.InvariantCulture, out id);

    /// <summary>A copy whose shared values come from <paramref name="pool"/> (an inventory read back from disk).</summary>
    public DiscoveredInstance Interned(StringPool pool) => new()
    {
        Name = Name,
        Id = Id,
        PublicIp = PublicIp,
        PrivateIp = PrivateIp,
        Zone = pool.Intern(Zone),
        ProjectId = pool.Intern(ProjectId),
        ManagedGroup = pool.Intern(ManagedGroup),
        ProvisioningModel = pool.Intern(ProvisioningModel),
        Gce = Gce is not { } gce ? null : new GceDetails
        {
            Status = pool.Intern(gce.Status),
            ZoneUrl = pool.Intern(gce.ZoneUrl),
            MachineType = pool.Intern(gce.MachineType),
            Network = pool.Intern(gce.Network),
            Subnetwork = pool.Intern(gce.Subnetwork),
            Tags = pool.Intern(gce.Tags),
            Labels = [.. gce.Labels.Select(l => new KeyValuePair<string, string>(pool.Intern(l.Key), pool.Intern(l.Value)))],
            Metadata = [.. gce.Metadata.Select(l => new KeyValuePair<string, string>(pool.Intern(l.Key), pool.Intern(l.Value)))],
        },
    };

    /// <summary>Every field equal (ordinal): the same published target group.</summary>
    public bool SameAs(DiscoveredInstance other) =>
        Name == other.Name && Id == other.Id && PublicIp == other.PublicIp && PrivateIp == other.PrivateIp && Zone == other.Zone
        && ProjectId == other.ProjectId && ManagedGroup == other.ManagedGroup && ProvisioningModel == other.ProvisioningModel
        && (Gce is null ? other.Gce is null : other.Gce is not null && Gce.SameAs(other.Gce));

    /// <summary>Publication order: by name, then zone (names are unique only within a zone).</summary>
    public static int Compare(DiscoveredInstance? x, DiscoveredInstance? y)
    {
        if (ReferenceEquals(x, y))
        {
            return 0;
        }

        if (x is null || y is null)
        {
            return x is null ? -1 : 1;
        }

        var byName = string.CompareOrdinal(x.Name, y.Name);
        return byName != 0 ? byName : string.CompareOrdinal(x.Zone, y.Zone);
    }
}
