namespace BuzzTalk.Discovery.Providers;

/// <summary>
/// What Prometheus' gce_sd publishes beyond the fleet fields (prometheus/prometheus <c>discovery/gce/gce.go</c>),
/// with its value formats: full resource URLs for zone, machine type and networks, tags joined as <c>,a,b,</c>.
/// Label and metadata names are already the full, sanitised label names (<c>__meta_gce_label_team_name</c>).
/// </summary>
public sealed class GceDetails
{
    public string Status { get; init; } = "";

    public string ZoneUrl { get; init; } = "";

    public string MachineType { get; init; } = "";

    public string Network { get; init; } = "";

    public string Subnetwork { get; init; } = "";

    /// <summary><c>,tag1,tag2,</c>; empty when the instance has no network tags (the label is then absent).</summary>
    public string Tags { get; init; } = "";

    public KeyValuePair<string, string>[] Labels { get; init; } = [];

    /// <summary>Only the metadata items named in <c>Discovery:Gcp:MetadataKeys</c>.</summary>
    public KeyValuePair<string, string>[] Metadata { get; init; } = [];

    public bool SameAs(GceDetails other) =>
        Status == other.Status && ZoneUrl == other.ZoneUrl && MachineType == other.MachineType && Network == other.Network
        && Subnetwork == other.Subnetwork && Tags == other.Tags && Same(Labels, other.Labels) && Same(Metadata, other.Metadata);

    private static bool Same(KeyValuePair<string, string>[] x, KeyValuePair<string, string>[] y)
    {
        if (x.Length != y.Length)
        {
            return false;
        }

        for (var i = 0; i < x.Length; i++)
        {
            if (x[i].Key != y[i].Key || x[i].Value != y[i].Value)
            {
                return false;
            }
        }

        return true;
    }
}
