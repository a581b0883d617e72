namespace BuzzTalk.Fleet.Inventory;

/// <summary>
/// One running instance of the fleet, as Discovery publishes it and the Scaler and Deployer
/// read it back from the http_sd endpoint. Settable so configuration can bind a static fleet.
/// </summary>
public sealed record FleetInstance
{
    public string Name { get; set; } = "";

    public string Id { get; set; } = "";

    /// <summary>The address the fleet is reached at (GCP: the instance's NAT IP).</summary>
    public string PublicIp { get; set; } = "";

    public string PrivateIp { get; set; } = "";

    public string Zone { get; set; } = "";

    public string ProjectId { get; set; } = "";

    /// <summary>Managed instance group the instance belongs to; empty when none.</summary>
    public string ManagedGroup { get; set; } = "";

    /// <summary><c>spot</c> or <c>standard</c>.</summary>
    public string ProvisioningModel { get; set; } = ProvisioningModels.Standard;
}
