using System.Text;
using System.Text.Json;
using BuzzTalk.Discovery.Configuration;
using BuzzTalk.Discovery.Refresh;
using BuzzTalk.Fleet.Inventory;
using Microsoft.Extensions.Options;
using YamlDotNet.Core;
using YamlDotNet.Core.Events;

namespace BuzzTalk.Discovery.Outputs;

/// <summary>
/// Writes the file_sd JSON and YAML files. Each is replaced atomically (temp file in the same
/// directory, flushed to disk, renamed over the old one) so Prometheus never reads half a file,
/// and only when its content changes so Prometheus is not woken for nothing.
/// </summary>
public sealed class FileSdWriter(IOptionsMonitor<DiscoveryOptions> options, DiscoveryMetrics metrics, ILogger<FileSdWriter> logger)
{
    public async Task WriteAsync(IReadOnlyList<FleetInstance> instances, CancellationToken cancellationToken)
    {
        var fileSd = options.CurrentValue.FileSd;
        if (fileSd.JsonPath is null && fileSd.YamlPath is null)
        {
            return;
        }

        var groups = TargetGroupBuilder.Build(instances);
        if (fileSd.JsonPath is { } jsonPath)
        {
            await ReplaceIfChangedAsync(jsonPath, Json(groups), "json", groups.Count, cancellationToken).ConfigureAwait(false);
        }

        if (fileSd.YamlPath is { } yamlPath)
        {
            await ReplaceIfChangedAsync(yamlPath, Yaml(groups), "yaml", groups.Count, cancellationToken).ConfigureAwait(false);
        }
    }

    public static byte[] Json(List<TargetGroup> groups) =>
        JsonSerializer.SerializeToUtf8Bytes(groups, TargetGroupJsonContext.Default.ListTargetGroup);

    /// <summary>The same list as YAML, emitted event by event (no reflection, so AOT-safe).</summary>
    public static byte[] Yaml(List<TargetGroup> groups)
    {
        using var text = new StringWriter();
        var emitter = new Emitter(text);
        emitter.Emit(new StreamStart());
        emitter.Emit(new DocumentStart());
        emitter.Emit(new SequenceStart(null, null, false, SequenceStyle.Block));
        foreach (var group in groups)
        {
            emitter.Emit(new MappingStart());
            Scalar(emitter, "targets");
            emitter.Emit(new SequenceStart(null, null, false, SequenceStyle.Block));
            foreach (var target in group.Targets)
            {
                Quoted(emitter, target);
            }

            emitter.Emit(new SequenceEnd());
            Scalar(emitter, "labels");
            emitter.Emit(new MappingStart());
            foreach (var (name, value) in group.Labels)
            {
                Scalar(emitter, name);
                Quoted(emitter, value);
            }

            emitter.Emit(new MappingEnd());
            emitter.Emit(new MappingEnd());
        }

        emitter.Emit(new SequenceEnd());
        emitter.Emit(new DocumentEnd(true));
        emitter.Emit(new StreamEnd());
        return Encoding.UTF8.GetBytes(text.ToString());
    }

    private static void Scalar(Emitter emitter, string value) => emitter.Emit(new YamlDotNet.Core.Events.Scalar(value));

    // Quoted, so an empty value or one YAML would read as a number, bool or null stays a string.
    private static void Quoted(Emitter emitter, string value) =>
        emitter.Emit(new YamlDotNet.Core.Events.Scalar(null, null, value, ScalarStyle.DoubleQuoted, false, true));

    private async Task ReplaceIfChangedAsync(string path, byte[] content, string format, int count, CancellationToken cancellationToken)
    {
        if (File.Exists(path) && (await File.ReadAllBytesAsync(path, cancellationToken).ConfigureAwait(false)).AsSpan().SequenceEqual(content))
        {
            return;
        }

        var directory = Path.GetDirectoryName(path) ?? throw new InvalidOperationException($"{path} has no directory.");
        Directory.CreateDirectory(directory);
        // Prometheus matches files by extension: a temp name ending otherwise is never read.
        var temp = Path.Combine(directory, $".{Path.GetFileName(path)}.{Guid.NewGuid():N}.tmp");
        try
        {
            await using (var stream = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None, 4096, FileOptions.Asynchronous))
            {
                await stream.WriteAsync(content, cancellationToken).ConfigureAwait(false);
                stream.Flush(flushToDisk: true);
            }

            File.Move(temp, path, overwrite: true);
        }
        catch
        {
            File.Delete(temp);
            throw;
        }

        metrics.FileWritten(format);
        DiscoveryLog.FileWritten(logger, path, count);
    }
}
