using System.Text.Json;
using BuzzTalk.Discovery.Configuration;
using BuzzTalk.Fleet.Inventory;
using Microsoft.Extensions.Options;

namespace BuzzTalk.Discovery.Providers;

/// <summary>
/// Instances from a JSON file (a list of <see cref="FleetInstance"/> in camelCase), re-read on
/// every refresh so an operator or a script can edit it while Discovery runs.
/// </summary>
public sealed class FileInstanceProvider(IOptionsMonitor<DiscoveryOptions> options) : IInstanceProvider
{
    public string Name => "file";

    public string Source => "file:" + options.CurrentValue.InstancesFile;

    public async Task<InstanceList> ListAsync(CancellationToken cancellationToken)
    {
        var path = options.CurrentValue.InstancesFile
            ?? throw new InvalidOperationException("Discovery:InstancesFile is not set.");
        await using var stream = File.OpenRead(path);
        List<FleetInstance>? instances;
        try
        {
            instances = await JsonSerializer.DeserializeAsync(stream, DiscoveryJsonContext.Default.ListFleetInstance, cancellationToken);
        }
        catch (JsonException ex)
        {
            throw new InvalidDataException($"{path} is not a JSON list of instances: {ex.Message}", ex);
        }

        return InstanceValidator.ToInventory(instances ?? throw new InvalidDataException($"{path} holds null, not a list of instances."), path);
    }
}
