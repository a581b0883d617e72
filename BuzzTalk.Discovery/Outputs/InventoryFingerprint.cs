using BuzzTalk.Discovery.Providers;

namespace BuzzTalk.Discovery.Outputs;

/// <summary>
/// SHA-256 of the inventory as <c>/sd/targets</c> serves it (every label of every instance, in order): equal
/// fingerprints mean equal file_sd files and an equal saved inventory.
/// </summary>
public static class InventoryFingerprint
{
    public static Task<byte[]> OfAsync(IReadOnlyList<DiscoveredInstance> instances, CancellationToken cancellationToken) =>
        ContentHash.OfAsync((stream, ct) => TargetGroupJsonWriter.WriteAsync(stream, instances, port: null, ct), cancellationToken);
}
