namespace BuzzTalk.Fleet.Inventory;

/// <summary>A fixed list from configuration (one host, a lab fleet).</summary>
public sealed class StaticInventory(IReadOnlyList<FleetInstance> instances) : IInventory
{
    public Task<IReadOnlyList<FleetInstance>> GetAsync(CancellationToken cancellationToken = default) => Task.FromResult(instances);
}
