using System.Globalization;
using System.Text.Json;
using BuzzTalk.Discovery.Providers;

namespace BuzzTalk.Discovery.Outputs;

/// <summary>
/// The target-group list Prometheus reads (file_sd and http_sd: only <c>targets</c> and <c>labels</c>), one group
/// per instance, streamed: the text is never held whole, whatever the number of instances.
/// </summary>
public static class TargetGroupJsonWriter
{
    /// <summary>Written out to the stream whenever this much is pending.</summary>
    private const int FlushThreshold = 16 * 1024;

    private static readonly JsonWriterOptions s_options = new() { SkipValidation = true };

    /// <summary>
    /// Without a port the target is the bare public IP (the inventory the Scaler and Deployer read); with one it is
    /// <c>ip:port</c>. An IPv6 address is always bracketed: bare, Prometheus reads its colons as a port.
    /// </summary>
    public static async Task WriteAsync(Stream stream, IReadOnlyList<DiscoveredInstance> instances, int? port, CancellationToken cancellationToken)
    {
        await using var writer = new Utf8JsonWriter(stream, s_options);
        writer.WriteStartArray();
        foreach (var instance in instances)
        {
            WriteGroup(writer, instance, port);
            if (writer.BytesPending > FlushThreshold)
            {
                await writer.FlushAsync(cancellationToken).ConfigureAwait(false);
            }
        }

        writer.WriteEndArray();
        await writer.FlushAsync(cancellationToken).ConfigureAwait(false);
    }

    private static void WriteGroup(Utf8JsonWriter writer, DiscoveredInstance instance, int? port)
    {
        writer.WriteStartObject();
        writer.WriteStartArray("targets");
        Span<char> target = stackalloc char[64];
        writer.WriteStringValue(Target(target, instance, port));
        writer.WriteEndArray();
        writer.WriteStartObject("labels");
        var sink = new JsonLabelSink(writer);
        TargetLabels.Write(instance, ref sink);
        writer.WriteEndObject();
        writer.WriteEndObject();
    }

    private static ReadOnlySpan<char> Target(Span<char> buffer, DiscoveredInstance instance, int? port)
    {
        var v6 = instance.PublicIpIsV6;
        if (port is null && !v6)
        {
            return instance.PublicIp;
        }

        var length = 0;
        if (v6)
        {
            buffer[length++] = '[';
        }

        instance.PublicIp.AsSpan().CopyTo(buffer[length..]);
        length += instance.PublicIp.Length;
        if (v6)
        {
            buffer[length++] = ']';
        }

        if (port is { } p)
        {
            buffer[length++] = ':';
            p.TryFormat(buffer[length..], out var written, provider: CultureInfo.InvariantCulture);
            length += written;
        }

        return buffer[..length];
    }

    private readonly struct JsonLabelSink(Utf8JsonWriter writer) : ILabelSink
    {
        public void Label(string name, string value) => writer.WriteString(name, value);
    }
}
