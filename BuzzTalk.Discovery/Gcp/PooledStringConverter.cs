using System.Collections.Concurrent;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace BuzzTalk.Discovery.Gcp;

/// <summary>
/// Reads a short JSON string through a process-wide pool, straight from its UTF-8 bytes: the values every
/// instance repeats (zone, machine type and network URLs, status, access-config type, metadata keys) then cost
/// no allocation per instance and page. Only for such values: never names, addresses or metadata values. The
/// pool is bounded; past its size, or for long or escaped values, a string is read as usual.
/// </summary>
public sealed class PooledStringConverter : JsonConverter<string>
{
    private const int MaxPooledLength = 256;
    private const int MaxPooledValues = 4096;

    private static readonly ConcurrentDictionary<string, string> s_pool = new(StringComparer.Ordinal);

    public override string? Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        if (reader.TokenType != JsonTokenType.String || reader.HasValueSequence || reader.ValueIsEscaped
            || reader.ValueSpan.Length > MaxPooledLength)
        {
            return reader.GetString();
        }

        Span<char> chars = stackalloc char[MaxPooledLength];
        var length = Encoding.UTF8.GetChars(reader.ValueSpan, chars);
        var text = chars[..length];
        if (s_pool.GetAlternateLookup<ReadOnlySpan<char>>().TryGetValue(text, out var pooled))
        {
            return pooled;
        }

        var value = text.ToString();
        return s_pool.Count < MaxPooledValues ? s_pool.GetOrAdd(value, value) : value;
    }

    public override void Write(Utf8JsonWriter writer, string value, JsonSerializerOptions options) => writer.WriteStringValue(value);
}
