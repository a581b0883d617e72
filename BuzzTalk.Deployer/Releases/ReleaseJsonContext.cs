using System.Text.Json.Serialization;

namespace BuzzTalk.Deployer.Releases;

/// <summary>Source-generated JSON of the release record and the Google APIs the store calls (Native AOT).</summary>
[JsonSourceGenerationOptions(WriteIndented = true, PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(DesiredRelease))]
[JsonSerializable(typeof(List<DesiredRelease>))]
[JsonSerializable(typeof(ServiceRelease))]
[JsonSerializable(typeof(EnvPayload))]
[JsonSerializable(typeof(SecretVersionRequest))]
[JsonSerializable(typeof(SecretVersionResponse))]
[JsonSerializable(typeof(AccessTokenResponse))]
[JsonSerializable(typeof(GoogleErrorResponse))]
internal sealed partial class ReleaseJsonContext : JsonSerializerContext;

/// <summary>The Secret Manager payload: env file name → base64 content (the instance writes each, 0600).</summary>
internal sealed record EnvPayload(IReadOnlyDictionary<string, string> Files);

internal sealed record SecretVersionRequest(SecretPayload Payload);

internal sealed record SecretPayload(string Data);

internal sealed record SecretVersionResponse(string? Name, SecretPayload? Payload);

internal sealed record AccessTokenResponse(
    [property: JsonPropertyName("access_token")] string? AccessToken,
    [property: JsonPropertyName("expires_in")] int ExpiresIn);

internal sealed record GoogleErrorResponse(GoogleError? Error);

internal sealed record GoogleError(int Code, string? Message);
