using System.Text.Json;
using System.Text.Json.Serialization;

namespace BuzzTalk.Scaler.Webhooks;

// The parts of the Grafana (version "1") and Alertmanager (version "4") webhook bodies the Scaler
// reads. Both senders add fields between releases, so unknown fields are ignored; the fields read
// here are checked by WebhookParser.

public sealed record WebhookPayload(
    [property: JsonPropertyName("receiver")] string? Receiver,
    [property: JsonPropertyName("status")] string? Status,
    [property: JsonPropertyName("alerts")] List<WebhookAlert?>? Alerts,
    [property: JsonPropertyName("version")] string? Version,
    [property: JsonPropertyName("groupKey")] string? GroupKey);

public sealed record WebhookAlert(
    [property: JsonPropertyName("status")] string? Status,
    [property: JsonPropertyName("labels")] Dictionary<string, string>? Labels,
    [property: JsonPropertyName("annotations")] Dictionary<string, string>? Annotations,
    [property: JsonPropertyName("fingerprint")] string? Fingerprint,
    // Grafana only: refId to number, or null when a value was NaN.
    [property: JsonPropertyName("values")] Dictionary<string, JsonElement>? Values);

[JsonSerializable(typeof(WebhookPayload))]
[JsonSourceGenerationOptions(AllowTrailingCommas = false, ReadCommentHandling = JsonCommentHandling.Disallow, MaxDepth = 16)]
internal sealed partial class WebhookJsonContext : JsonSerializerContext;
