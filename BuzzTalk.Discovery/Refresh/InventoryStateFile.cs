using System.Text.Json;
using BuzzTalk.Discovery.Configuration;
using BuzzTalk.Discovery.Outputs;
using BuzzTalk.Discovery.Providers;
using Microsoft.Extensions.Options;

namespace BuzzTalk.Discovery.Refresh;

/// <summary>
/// The last good inventory under the state directory (<see cref="DiscoveryOptions.StateDirectory"/>), so a
/// restart during a cloud outage serves it instead of 503 until a refresh succeeds. Written atomically, and
/// only when the inventory changed; a refresh that confirms it only moves the file's modification time, which
/// is then when it was last confirmed.
/// </summary>
public sealed class InventoryStateFile(IOptions<DiscoveryOptions> options, ILogger<InventoryStateFile> logger)
{
    public const string FileName = "inventory.json";

    private string? _savedFingerprint;

    public string? Path => options.Value.StateDirectory is { Length: > 0 } directory ? System.IO.Path.Combine(directory, FileName) : null;

    /// <summary>The saved inventory of <paramref name="source"/> and when it was last confirmed; null when there is none.</summary>
    public async Task<(IReadOnlyList<DiscoveredInstance> Instances, DateTimeOffset RefreshedAt)?> RestoreAsync(string source, CancellationToken cancellationToken)
    {
        if (Path is not { } path || !File.Exists(path))
        {
            return null;
        }

        try
        {
            SavedInventory? saved;
            await using (var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 64 * 1024, FileOptions.Asynchronous))
            {
                saved = await JsonSerializer.DeserializeAsync(stream, DiscoveryJsonContext.Default.SavedInventory, cancellationToken).ConfigureAwait(false);
            }

            if (saved is null || saved.Source != source)
            {
                return null; // another project or group: not this inventory
            }

            _savedFingerprint = saved.Fingerprint;
            var pool = new StringPool();
            var instances = saved.Instances.Select(i => i.Interned(pool)).ToArray();
            var confirmed = new DateTimeOffset(File.GetLastWriteTimeUtc(path), TimeSpan.Zero);
            return (instances, confirmed > saved.RefreshedAt ? confirmed : saved.RefreshedAt);
        }
        catch (Exception ex) when (ex is JsonException or IOException or UnauthorizedAccessException or InvalidOperationException)
        {
            DiscoveryLog.RestoreFailed(logger, ex, path);
            return null;
        }
    }

    /// <summary>
    /// Saves <paramref name="instances"/> as confirmed at <paramref name="confirmedAt"/>: a refresh's time, or for
    /// instances taken out between refreshes, the time of the refresh they come from.
    /// </summary>
    public async Task SaveAsync(string source, IReadOnlyList<DiscoveredInstance> instances, byte[] fingerprint, DateTimeOffset confirmedAt,
        CancellationToken cancellationToken)
    {
        if (Path is not { } path)
        {
            return;
        }

        var text = Convert.ToBase64String(fingerprint);
        try
        {
            if (text == _savedFingerprint && File.Exists(path))
            {
                File.SetLastWriteTimeUtc(path, confirmedAt.UtcDateTime);
                return;
            }

            var saved = new SavedInventory(source, confirmedAt, text, instances);
            await AtomicFile.WriteAsync(path,
                (stream, ct) => JsonSerializer.SerializeAsync(stream, saved, DiscoveryJsonContext.Default.SavedInventory, ct), cancellationToken).ConfigureAwait(false);
            File.SetLastWriteTimeUtc(path, confirmedAt.UtcDateTime);
            _savedFingerprint = text;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // The inventory is still served; only a restart would miss it.
            DiscoveryLog.SaveFailed(logger, ex, path);
        }
    }
}
