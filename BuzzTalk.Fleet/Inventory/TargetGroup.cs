using System.Text.Json.Serialization;

namespace BuzzTalk.Fleet.Inventory;

/// <summary>
/// A Prometheus target group: exactly the two keys file_sd and http_sd accept (Prometheus
/// rejects any other key).
/// </summary>
public sealed record TargetGroup(
    [property: JsonPropertyName("targets")] IReadOnlyList<string> Targets,
    [property: JsonPropertyName("labels")] IReadOnlyDictionary<string, string> Labels);
