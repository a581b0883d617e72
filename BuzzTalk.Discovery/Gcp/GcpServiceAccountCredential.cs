using System.Buffers;
using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace BuzzTalk.Discovery.Gcp;

/// <summary>
/// A service-account key: an RS256-signed JWT exchanged at the token endpoint (JWT-bearer grant,
/// <c>shared/reference/gcp/oauth2-jwt-bearer-token-exchange.http</c>).
/// </summary>
public sealed class GcpServiceAccountCredential : GcpCredential
{
    /// <summary>Google accepts assertions valid for at most an hour.</summary>
    private static readonly TimeSpan AssertionLifetime = TimeSpan.FromHours(1);

    private readonly RSA _key;
    private readonly string? _keyId;
    private readonly string _clientEmail;
    private readonly string _scope;
    private readonly Uri _tokenUri;

    /// <param name="clientEmail">The key file's <c>client_email</c>: the JWT's issuer.</param>
    /// <param name="privateKeyPem">The key file's <c>private_key</c> (PKCS#8 PEM).</param>
    /// <param name="keyId">The key file's <c>private_key_id</c>: the JWT header's <c>kid</c>.</param>
    /// <param name="tokenUri">Where the JWT is exchanged, and so its audience.</param>
    /// <param name="scope">Space-separated OAuth scopes.</param>
    /// <exception cref="ArgumentException">The PEM holds no RSA private key.</exception>
    public GcpServiceAccountCredential(string clientEmail, string privateKeyPem, string? keyId, Uri tokenUri, string scope)
    {
        var key = RSA.Create();
        try
        {
            key.ImportFromPem(privateKeyPem);
        }
        catch (Exception ex) when (ex is ArgumentException or CryptographicException)
        {
            key.Dispose();
            // The exception's own text may quote the PEM; say only what is wrong.
            throw new ArgumentException("private_key is not a PEM-encoded RSA private key.", nameof(privateKeyPem));
        }

        (_key, _keyId, _clientEmail, _tokenUri, _scope) = (key, keyId, clientEmail, tokenUri, scope);
    }

    public override string Description => $"service account {_clientEmail}";

    public override Task<TokenResponse> RequestTokenAsync(GoogleTokenClient client, DateTimeOffset now, CancellationToken cancellationToken) =>
        client.JwtBearerAsync(_tokenUri, CreateAssertion(now), cancellationToken);

    /// <summary>
    /// <c>base64url(header).base64url(claims).base64url(RSASSA-PKCS1-v1_5-SHA256 signature)</c>; the
    /// audience is the token URI the assertion is posted to.
    /// </summary>
    public string CreateAssertion(DateTimeOffset now)
    {
        var header = Json(writer =>
        {
            writer.WriteString("alg", "RS256");
            writer.WriteString("typ", "JWT");
            if (!string.IsNullOrEmpty(_keyId))
            {
                writer.WriteString("kid", _keyId);
            }
        });
        var issuedAt = now.ToUnixTimeSeconds();
        var claims = Json(writer =>
        {
            writer.WriteString("iss", _clientEmail);
            writer.WriteString("scope", _scope);
            writer.WriteString("aud", _tokenUri.ToString());
            writer.WriteNumber("iat", issuedAt);
            writer.WriteNumber("exp", issuedAt + (long)AssertionLifetime.TotalSeconds);
        });
        var signed = Base64Url.EncodeToString(header) + "." + Base64Url.EncodeToString(claims);
        var signature = _key.SignData(Encoding.ASCII.GetBytes(signed), HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        return signed + "." + Base64Url.EncodeToString(signature);
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _key.Dispose();
        }

        base.Dispose(disposing);
    }

    private static ReadOnlySpan<byte> Json(Action<Utf8JsonWriter> write)
    {
        var buffer = new ArrayBufferWriter<byte>(256);
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            write(writer);
            writer.WriteEndObject();
        }

        return buffer.WrittenSpan;
    }
}
