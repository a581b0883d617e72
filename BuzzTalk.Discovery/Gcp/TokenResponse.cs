using System.Text.Json.Serialization;

namespace BuzzTalk.Discovery.Gcp;

/// <summary>
/// RFC 6749 5.1 success body, as the token endpoint and the metadata server send it. Other members
/// (<c>scope</c>, <c>id_token</c>) are ignored.
/// </summary>
public sealed record TokenResponse(
    [property: JsonPropertyName("access_token")] string? AccessToken,
    // Google sends a number; a string is accepted as the Newtonsoft-based client did.
    [property: JsonPropertyName("expires_in"), JsonNumberHandling(JsonNumberHandling.AllowReadingFromString)] long? ExpiresIn,
    [property: JsonPropertyName("token_type")] string? TokenType);
