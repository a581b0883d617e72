using System.Text.Json.Serialization;

namespace BuzzTalk.Discovery.Gcp;

/// <summary>
/// The fields of a Google credential file that a token request needs: a service-account key
/// (<c>type: service_account</c>) or gcloud's user credentials (<c>type: authorized_user</c>).
/// </summary>
public sealed record GoogleCredentialFile(
    [property: JsonPropertyName("type")] string? Type,
    [property: JsonPropertyName("client_email")] string? ClientEmail,
    [property: JsonPropertyName("private_key")] string? PrivateKey,
    [property: JsonPropertyName("private_key_id")] string? PrivateKeyId,
    [property: JsonPropertyName("project_id")] string? ProjectId,
    [property: JsonPropertyName("token_uri")] string? TokenUri,
    [property: JsonPropertyName("client_id")] string? ClientId,
    [property: JsonPropertyName("client_secret")] string? ClientSecret,
    [property: JsonPropertyName("refresh_token")] string? RefreshToken)
{
    public const string ServiceAccountType = "service_account";
    public const string AuthorizedUserType = "authorized_user";
}
