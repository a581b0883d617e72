using System.Text.Json.Serialization;

namespace BuzzTalk.Discovery.Gcp;

/// <summary>RFC 6749 5.2 error body of the token endpoint.</summary>
public sealed record TokenErrorResponse(
    [property: JsonPropertyName("error")] string? Error,
    [property: JsonPropertyName("error_description")] string? ErrorDescription,
    [property: JsonPropertyName("error_uri")] string? ErrorUri);
