using System.Text.Json.Serialization;

namespace BuzzTalk.Scaler.Notifications;

// Discord's fields are snake_case (allowed_mentions, retry_after).
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull, MaxDepth = 16)]
[JsonSerializable(typeof(DiscordMessage))]
[JsonSerializable(typeof(DiscordRateLimit))]
internal sealed partial class DiscordJsonContext : JsonSerializerContext;
