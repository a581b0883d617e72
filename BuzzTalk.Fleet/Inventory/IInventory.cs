namespace BuzzTalk.Fleet.Inventory;

/// <summary>The fleet's running instances, as the Scaler and the Deployer see them.</summary>
public interface IInventory
{
    Task<IReadOnlyList<FleetInstance>> GetAsync(CancellationToken cancellationToken = default);
}
