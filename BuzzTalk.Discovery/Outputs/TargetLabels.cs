using BuzzTalk.Discovery.Gcp;
using BuzzTalk.Discovery.Providers;
using BuzzTalk.Fleet.Inventory;

namespace BuzzTalk.Discovery.Outputs;

/// <summary>
/// The labels of an instance's target group: the fleet's <see cref="InventoryLabels"/> (which the Scaler and the
/// Deployer read back), then for GCP instances the <c>__meta_gce_*</c> labels of Prometheus' gce_sd, with its value
/// formats. Every name is <c>[a-zA-Z0-9_]</c>; no value is a secret (metadata only for configured keys).
/// </summary>
public static class TargetLabels
{
    public static void Write<TSink>(DiscoveredInstance instance, ref TSink sink)
        where TSink : ILabelSink
    {
        sink.Label(InventoryLabels.Instance, instance.Name);
        sink.Label(InventoryLabels.InstanceName, instance.Name);
        sink.Label(InventoryLabels.InstanceId, instance.Id);
        sink.Label(InventoryLabels.PublicIp, instance.PublicIp);
        sink.Label(InventoryLabels.PrivateIp, instance.PrivateIp);
        sink.Label(InventoryLabels.Zone, instance.Zone);
        sink.Label(InventoryLabels.ProjectId, instance.ProjectId);
        sink.Label(InventoryLabels.ManagedGroup, instance.ManagedGroup);
        sink.Label(InventoryLabels.ProvisioningModel, instance.ProvisioningModel);
        if (instance.Gce is not { } gce)
        {
            return;
        }

        sink.Label(GceLabelNames.Project, instance.ProjectId);
        sink.Label(GceLabelNames.Zone, gce.ZoneUrl);
        sink.Label(GceLabelNames.Network, gce.Network);
        sink.Label(GceLabelNames.Subnetwork, gce.Subnetwork);
        sink.Label(GceLabelNames.PublicIp, instance.PublicIp);
        sink.Label(GceLabelNames.PrivateIp, instance.PrivateIp);
        sink.Label(GceLabelNames.InstanceId, instance.Id);
        sink.Label(GceLabelNames.InstanceName, instance.Name);
        sink.Label(GceLabelNames.InstanceStatus, gce.Status);
        sink.Label(GceLabelNames.MachineType, gce.MachineType);
        if (gce.Tags.Length > 0)
        {
            sink.Label(GceLabelNames.Tags, gce.Tags);
        }

        foreach (var (name, value) in gce.Labels)
        {
            sink.Label(name, value);
        }

        foreach (var (name, value) in gce.Metadata)
        {
            sink.Label(name, value);
        }
    }
}
