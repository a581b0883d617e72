using System.Text;
using BuzzTalk.Discovery.Configuration;
using BuzzTalk.Discovery.Providers;
using BuzzTalk.Discovery.Refresh;
using BuzzTalk.Fleet.Inventory;
using Microsoft.Extensions.Options;

namespace BuzzTalk.Discovery.Outputs;

/// <summary>
/// Writes the file_sd JSON and YAML files. Each is replaced atomically (<see cref="AtomicFile"/>) so Prometheus
/// never reads half a file, and only when its content changes so Prometheus is not woken for nothing. Nothing
/// is built whole in memory: a file is streamed to disk, and whether it changed is decided by the inventory's
/// fingerprint (the SHA-256 of its JSON, <see cref="InventoryFingerprint"/>); only the first write after start
/// compares with what the file already holds.
/// </summary>
public sealed class FileSdWriter(IOptionsMonitor<DiscoveryOptions> options, DiscoveryMetrics metrics, ILogger<FileSdWriter> logger)
{
    private readonly Dictionary<string, byte[]> _written = new(StringComparer.Ordinal);

    public async Task WriteAsync(IReadOnlyList<DiscoveredInstance> instances, byte[] fingerprint, CancellationToken cancellationToken)
    {
        var fileSd = options.CurrentValue.FileSd;
        if (fileSd.JsonPath is { } jsonPath)
        {
            await ReplaceIfChangedAsync(jsonPath, "json", instances, fingerprint,
                (stream, ct) => TargetGroupJsonWriter.WriteAsync(stream, instances, port: null, ct), cancellationToken).ConfigureAwait(false);
        }

        if (fileSd.YamlPath is { } yamlPath)
        {
            await ReplaceIfChangedAsync(yamlPath, "yaml", instances, fingerprint,
                (stream, ct) => TargetGroupYamlWriter.WriteAsync(stream, instances, ct), cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>The groups as YAML text (tests, small lists).</summary>
    public static byte[] Yaml(List<TargetGroup> groups)
    {
        using var text = new StringWriter();
        TargetGroupYamlWriter.Write(text, groups.Select(g => (g.Targets, (IEnumerable<KeyValuePair<string, string>>)g.Labels)));
        return Encoding.UTF8.GetBytes(text.ToString());
    }

    private async Task ReplaceIfChangedAsync(string path, string format, IReadOnlyList<DiscoveredInstance> instances, byte[] fingerprint,
        Func<Stream, CancellationToken, Task> write, CancellationToken cancellationToken)
    {
        if (_written.TryGetValue(path, out var written) && written.AsSpan().SequenceEqual(fingerprint))
        {
            return;
        }

        if (written is null)
        {
            // First write since start: the file may already hold this content (a restart).
            var content = format == "json" ? fingerprint : await ContentHash.OfAsync(write, cancellationToken).ConfigureAwait(false);
            var existing = await ContentHash.OfFileAsync(path, cancellationToken).ConfigureAwait(false);
            if (existing is not null && existing.AsSpan().SequenceEqual(content))
            {
                _written[path] = fingerprint;
                return;
            }
        }

        await AtomicFile.WriteAsync(path, write, cancellationToken).ConfigureAwait(false);
        _written[path] = fingerprint;
        metrics.FileWritten(format);
        DiscoveryLog.FileWritten(logger, path, instances.Count);
    }
}
