using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using BuzzTalk.Discovery.Gcp;

namespace BuzzTalk.Discovery.Tests.Gcp;

/// <summary>The JWT Discovery signs, against shared/reference/gcp/oauth2-jwt-bearer-token-exchange.http.</summary>
public sealed class GcpServiceAccountCredentialTests
{
    private const string Email = "sd-reader@acme-prod.iam.gserviceaccount.com";
    private const string Scope = "https://www.googleapis.com/auth/compute.readonly";
    private static readonly Uri TokenUri = new("https://oauth2.googleapis.com/token");

    [Fact]
    public void The_assertion_has_the_documented_header_and_claims_and_an_rs256_signature()
    {
        using var rsa = RSA.Create(2048);
        using var credential = new GcpServiceAccountCredential(Email, rsa.ExportPkcs8PrivateKeyPem(), "1a2b3c4d", TokenUri, Scope);
        var now = DateTimeOffset.FromUnixTimeSeconds(1748959590);

        var parts = credential.CreateAssertion(now).Split('.');

        Assert.Equal(3, parts.Length);
        Assert.Equal("""{"alg":"RS256","typ":"JWT","kid":"1a2b3c4d"}""", Encoding.UTF8.GetString(Base64Url.DecodeFromChars(parts[0])));
        var claims = JsonNode.Parse(Base64Url.DecodeFromChars(parts[1]))!.AsObject();
        Assert.Equal(["iss", "scope", "aud", "iat", "exp"], claims.Select(p => p.Key));
        Assert.Equal(Email, claims["iss"]!.GetValue<string>());
        Assert.Equal(Scope, claims["scope"]!.GetValue<string>());
        Assert.Equal(TokenUri.ToString(), claims["aud"]!.GetValue<string>());
        Assert.Equal(1748959590, claims["iat"]!.GetValue<long>());
        Assert.Equal(1748963190, claims["exp"]!.GetValue<long>());
        Assert.True(rsa.VerifyData(Encoding.ASCII.GetBytes($"{parts[0]}.{parts[1]}"), Base64Url.DecodeFromChars(parts[2]),
            HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1));
    }

    [Fact]
    public void A_key_file_without_a_key_id_signs_without_kid()
    {
        using var rsa = RSA.Create(2048);
        using var credential = new GcpServiceAccountCredential(Email, rsa.ExportPkcs8PrivateKeyPem(), keyId: null, TokenUri, Scope);

        var header = credential.CreateAssertion(DateTimeOffset.UtcNow).Split('.')[0];

        Assert.Equal("""{"alg":"RS256","typ":"JWT"}""", Encoding.UTF8.GetString(Base64Url.DecodeFromChars(header)));
    }

    [Fact]
    public void A_private_key_that_is_not_pem_is_refused_without_quoting_it()
    {
        const string NotAKey = "-----BEGIN PRIVATE KEY-----\nc2VjcmV0LW1hdGVyaWFs\n-----END PRIVATE KEY-----\n";

        var error = Assert.Throws<ArgumentException>(() => new GcpServiceAccountCredential(Email, NotAKey, "k", TokenUri, Scope));

        Assert.DoesNotContain("c2VjcmV0LW1hdGVyaWFs", error.Message, StringComparison.Ordinal);
    }
}
