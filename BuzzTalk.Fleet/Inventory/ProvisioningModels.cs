namespace BuzzTalk.Fleet.Inventory;

/// <summary>Values of the <c>provisioning_model</c> label.</summary>
public static class ProvisioningModels
{
    public const string Spot = "spot";
    public const string Standard = "standard";
}
