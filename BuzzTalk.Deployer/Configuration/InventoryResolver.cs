using BuzzTalk.Fleet.Inventory;

namespace BuzzTalk.Deployer.Configuration;

/// <summary>The instances to act on: <c>Deployer:Instances</c>, else Discovery's http_sd targets; filtered by <c>--instance</c>.</summary>
public static class InventoryResolver
{
    public static async Task<IReadOnlyList<DeployTarget>> ResolveAsync(DeployerOptions options, IReadOnlyList<string> only, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(only);
        IReadOnlyList<DeployTarget> targets;
        if (options.Instances.Count > 0)
        {
            targets = [.. options.Instances.Select(t => t with { Name = t.Name.Length > 0 ? t.Name : t.Host })];
        }
        else if (Uri.TryCreate(options.DiscoveryUrl, UriKind.Absolute, out var discovery))
        {
            using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(15) };
            using var inventory = new HttpSdInventory(http, discovery, TimeSpan.Zero);
            targets = [.. (await inventory.GetAsync(cancellationToken).ConfigureAwait(false))
                .Select(i => new DeployTarget { Name = i.Name.Length > 0 ? i.Name : i.PublicIp, Host = i.PublicIp })];
        }
        else
        {
            throw new ArgumentException("No inventory: set Deployer:Instances or Deployer:DiscoveryUrl.");
        }

        foreach (var target in targets)
        {
            if (target.Host.Length == 0 || target.Host.Any(c => char.IsWhiteSpace(c) || char.IsControl(c)))
            {
                throw new ArgumentException($"Instance '{target.Name}' has no usable address.");
            }
        }

        if (only.Count > 0)
        {
            var unknown = only.Where(name => targets.All(t => t.Name != name)).ToList();
            if (unknown.Count > 0)
            {
                throw new ArgumentException($"Unknown instance(s): {string.Join(", ", unknown)} (inventory: {string.Join(", ", targets.Select(t => t.Name))}).");
            }

            targets = [.. targets.Where(t => only.Contains(t.Name))];
        }

        return targets.Count > 0 ? targets : throw new ArgumentException("The inventory is empty.");
    }

    /// <summary>
    /// Whether Discovery still lists an instance by name: false when it answered without it, null
    /// when that cannot be told (no <c>Deployer:DiscoveryUrl</c>, or Discovery did not answer).
    /// </summary>
    public static async Task<bool?> IsListedAsync(DeployerOptions options, string name, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (!Uri.TryCreate(options.DiscoveryUrl, UriKind.Absolute, out var discovery))
        {
            return null;
        }

        try
        {
            using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(15) };
            using var inventory = new HttpSdInventory(http, discovery, TimeSpan.Zero);
            return (await inventory.GetAsync(cancellationToken).ConfigureAwait(false)).Any(i => (i.Name.Length > 0 ? i.Name : i.PublicIp) == name);
        }
        catch (Exception ex) when (ex is HttpRequestException or System.Text.Json.JsonException or InvalidDataException or TaskCanceledException)
        {
            return null; // Unknown: the instance stays reported as it failed.
        }
    }
}
