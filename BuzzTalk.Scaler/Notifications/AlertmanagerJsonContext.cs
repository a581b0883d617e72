using System.Text.Json;
using System.Text.Json.Serialization;

namespace BuzzTalk.Scaler.Notifications;

// Alertmanager's own spelling (camelCase: truncatedAlerts); the same strict syntax as the webhooks.
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase,
    AllowTrailingCommas = false, ReadCommentHandling = JsonCommentHandling.Disallow, MaxDepth = 16)]
[JsonSerializable(typeof(AlertmanagerNotification))]
internal sealed partial class AlertmanagerJsonContext : JsonSerializerContext;
