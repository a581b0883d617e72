namespace BuzzTalk.Fleet.Inventory;

/// <summary>
/// The labels each target group carries. Names use only <c>[a-z_]</c>, as Prometheus requires;
/// no label ever holds a secret.
/// </summary>
public static class InventoryLabels
{
    public const string Instance = "instance";
    public const string InstanceName = "instance_name";
    public const string InstanceId = "instance_id";
    public const string PublicIp = "public_ip";
    public const string PrivateIp = "private_ip";
    public const string Zone = "zone";
    public const string ProjectId = "project_id";
    public const string ManagedGroup = "managed_group";
    public const string ProvisioningModel = "provisioning_model";

    public static Dictionary<string, string> For(FleetInstance instance) => new(StringComparer.Ordinal)
    {
        [Instance] = instance.Name,
        [InstanceName] = instance.Name,
        [InstanceId] = instance.Id,
        [PublicIp] = instance.PublicIp,
        [PrivateIp] = instance.PrivateIp,
        [Zone] = instance.Zone,
        [ProjectId] = instance.ProjectId,
        [ManagedGroup] = instance.ManagedGroup,
        [ProvisioningModel] = instance.ProvisioningModel,
    };

    /// <summary>Reads an instance back from a target group's labels; null when a required one is missing.</summary>
    public static FleetInstance? Parse(IReadOnlyDictionary<string, string> labels)
    {
        if (!labels.TryGetValue(InstanceName, out var name) || !labels.TryGetValue(PublicIp, out var publicIp)
            || string.IsNullOrEmpty(name) || string.IsNullOrEmpty(publicIp))
        {
            return null;
        }

        string Get(string key) => labels.TryGetValue(key, out var value) ? value : "";
        return new FleetInstance
        {
            Name = name,
            PublicIp = publicIp,
            Id = Get(InstanceId),
            PrivateIp = Get(PrivateIp),
            Zone = Get(Zone),
            ProjectId = Get(ProjectId),
            ManagedGroup = Get(ManagedGroup),
            ProvisioningModel = Get(ProvisioningModel) is { Length: > 0 } model ? model : ProvisioningModels.Standard,
        };
    }
}
