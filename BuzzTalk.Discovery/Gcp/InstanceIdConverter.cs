using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace BuzzTalk.Discovery.Gcp;

/// <summary>
/// A Compute uint64 id (JSON text of digits, as Google sends 64-bit numbers) as a <see cref="ulong"/>, parsed from its
/// UTF-8 bytes without a string. Anything else (letters, a negative or too large number, a number, an object) reads as
/// null instead of failing the whole answer: one malformed operation is skipped, the rest of its page is used.
/// </summary>
public sealed class InstanceIdConverter : JsonConverter<ulong?>
{
    public override ulong? Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        if (reader.TokenType != JsonTokenType.String)
        {
            reader.Skip(); // an object or array: its whole value
            return null;
        }

        var parsed = reader.HasValueSequence || reader.ValueIsEscaped
            ? ulong.TryParse(reader.GetString(), NumberStyles.None, CultureInfo.InvariantCulture, out var id)
            : ulong.TryParse(reader.ValueSpan, NumberStyles.None, CultureInfo.InvariantCulture, out id);
        return parsed ? id : null;
    }

    public override void Write(Utf8JsonWriter writer, ulong? value, JsonSerializerOptions options)
    {
        if (value is { } id)
        {
            writer.WriteStringValue(id.ToString(CultureInfo.InvariantCulture));
        }
        else
        {
            writer.WriteNullValue();
        }
    }
}
