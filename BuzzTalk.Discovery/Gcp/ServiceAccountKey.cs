using System.Text.Json.Serialization;

namespace BuzzTalk.Discovery.Gcp;

/// <summary>The fields of a service-account key file the token exchange needs.</summary>
public sealed record ServiceAccountKey(
    [property: JsonPropertyName("type")] string? Type,
    [property: JsonPropertyName("client_email")] string? ClientEmail,
    [property: JsonPropertyName("private_key")] string? PrivateKey,
    [property: JsonPropertyName("private_key_id")] string? PrivateKeyId,
    [property: JsonPropertyName("project_id")] string? ProjectId,
    [property: JsonPropertyName("token_uri")] string? TokenUri);
