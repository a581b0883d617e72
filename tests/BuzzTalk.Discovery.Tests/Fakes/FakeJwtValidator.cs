using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace BuzzTalk.Discovery.Tests.Fakes;

/// <summary>
/// Checks a JWT-bearer assertion as Google's token endpoint does: RS256 signature by a key the fake issued
/// (found by <c>kid</c>, else by <c>iss</c>), <c>iss</c> = that key's client_email, <c>aud</c> = the token URI,
/// <c>iat</c>/<c>exp</c> at most an hour apart and current (5 minutes' skew), and a <c>scope</c>.
/// <para>
/// The audience may be the fake's own token URI (the key file's <c>token_uri</c>) or Google's,
/// <see cref="GoogleTokenUri"/>: Google.Apis.Auth 1.78's ServiceAccountCredential posts to the configured
/// token URI but always signs <c>aud</c> = <c>https://oauth2.googleapis.com/token</c>, which Google accepts.
/// </para>
/// </summary>
internal static class FakeJwtValidator
{
    public const string JwtBearerGrantType = "urn:ietf:params:oauth:grant-type:jwt-bearer";
    public const string GoogleTokenUri = "https://oauth2.googleapis.com/token";

    private const string Timeframe = "Invalid JWT: Token must be a short-lived token (60 minutes) and in a reasonable timeframe. Check your iat and exp values in the JWT claim.";
    private static readonly TimeSpan Skew = TimeSpan.FromMinutes(5);

    /// <summary>Null when the assertion is good; else the RFC 6749 error code and Google's description.</summary>
    public static (string Error, string Description)? Check(
        string assertion, Func<string?, string?, FakeServiceAccountKey?> findKey, string audience, DateTimeOffset now)
    {
        var parts = assertion.Split('.');
        if (parts.Length != 3)
        {
            return Grant("Invalid JWT: the assertion is not a signed JWT (header.claims.signature).");
        }

        JsonObject header, claims;
        byte[] signature;
        try
        {
            header = Decode(parts[0]);
            claims = Decode(parts[1]);
            signature = Base64Url.DecodeFromChars(parts[2]);
        }
        catch (Exception ex) when (ex is FormatException or JsonException or InvalidOperationException)
        {
            return Grant("Invalid JWT: the header, claims or signature is not base64url-encoded JSON.");
        }

        if (Text(header, "alg") != "RS256")
        {
            return Grant("Invalid JWT: the algorithm must be RS256.");
        }

        var issuer = Text(claims, "iss");
        var key = findKey(Text(header, "kid"), issuer);
        if (key is null || !Verifies(key, $"{parts[0]}.{parts[1]}", signature))
        {
            return Grant("Invalid JWT Signature.");
        }

        if (issuer != key.ClientEmail)
        {
            return Grant("Invalid email or User ID");
        }

        if (Text(claims, "aud") is not { } aud || (aud != audience && aud != GoogleTokenUri))
        {
            return Grant($"Invalid JWT: Failed audience check. The right audience is {audience}");
        }

        if (Seconds(claims, "iat") is not { } iat || Seconds(claims, "exp") is not { } exp
            || exp <= iat || exp - iat > 3600
            || DateTimeOffset.FromUnixTimeSeconds(exp) + Skew < now
            || DateTimeOffset.FromUnixTimeSeconds(iat) - Skew > now)
        {
            return Grant(Timeframe);
        }

        if (string.IsNullOrWhiteSpace(Text(claims, "scope")))
        {
            return ("invalid_scope", "Invalid OAuth scope or ID token audience provided.");
        }

        return null;
    }

    private static (string, string) Grant(string description) => ("invalid_grant", description);

    private static JsonObject Decode(string part) =>
        JsonNode.Parse(Base64Url.DecodeFromChars(part)) as JsonObject ?? throw new FormatException("not a JSON object");

    private static string? Text(JsonObject json, string name) =>
        json[name] is JsonValue value && value.TryGetValue<string>(out var text) ? text : null;

    private static long? Seconds(JsonObject json, string name) =>
        json[name] is JsonValue value && value.TryGetValue<long>(out var seconds) ? seconds : null;

    private static bool Verifies(FakeServiceAccountKey key, string signedPart, byte[] signature)
    {
        using var rsa = RSA.Create();
        rsa.ImportSubjectPublicKeyInfo(key.SubjectPublicKeyInfo.Span, out _);
        return rsa.VerifyData(Encoding.ASCII.GetBytes(signedPart), signature, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
    }
}
