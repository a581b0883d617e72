using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace BuzzTalk.Scaler.Webhooks;

/// <summary>
/// HTTP basic credentials and Grafana's HMAC signature, compared in constant time (hashes of
/// equal length, so not even the length of a secret leaks). No credential is ever logged.
/// </summary>
public sealed class WebhookAuthenticator(WebhookOptions options, TimeProvider time)
{
    private readonly byte[] _user = Hash(options.Username);
    private readonly byte[] _password = Hash(options.Password);

    public bool IsAuthorized(string? authorization)
    {
        if (authorization is null || !authorization.StartsWith("Basic ", StringComparison.OrdinalIgnoreCase)
            || options.Username.Length == 0 || options.Password.Length == 0)
        {
            return false;
        }

        string decoded;
        try
        {
            decoded = Encoding.UTF8.GetString(Convert.FromBase64String(authorization["Basic ".Length..].Trim()));
        }
        catch (FormatException)
        {
            return false;
        }

        var colon = decoded.IndexOf(':', StringComparison.Ordinal);
        if (colon < 0)
        {
            return false;
        }

        // Both compared, always: no early exit on a wrong user name.
        var userOk = CryptographicOperations.FixedTimeEquals(Hash(decoded[..colon]), _user);
        var passwordOk = CryptographicOperations.FixedTimeEquals(Hash(decoded[(colon + 1)..]), _password);
        return userOk & passwordOk;
    }

    /// <summary>Null when the signature is valid (or none is configured), else why it is not.</summary>
    public string? CheckGrafanaSignature(ReadOnlySpan<byte> body, string? signature, string? timestamp)
    {
        if (string.IsNullOrEmpty(options.GrafanaHmacSecret))
        {
            return null;
        }

        if (string.IsNullOrEmpty(signature))
        {
            return $"missing {options.GrafanaSignatureHeader}";
        }

        // Hashed where it lies: a copy of a large body would land on the large object heap.
        using var hmac = IncrementalHash.CreateHMAC(HashAlgorithmName.SHA256, Encoding.UTF8.GetBytes(options.GrafanaHmacSecret));
        if (options.GrafanaTimestampHeader is not null)
        {
            if (!long.TryParse(timestamp, NumberStyles.None, CultureInfo.InvariantCulture, out var seconds))
            {
                return $"missing or invalid {options.GrafanaTimestampHeader}";
            }

            var skew = time.GetUtcNow() - DateTimeOffset.FromUnixTimeSeconds(Math.Clamp(seconds, 0, 253402300799));
            if (skew.Duration() > options.MaxTimestampSkew)
            {
                return "signature timestamp too old or in the future";
            }

            hmac.AppendData(Encoding.ASCII.GetBytes(timestamp + ":"));
        }

        hmac.AppendData(body);
        var expected = hmac.GetHashAndReset();
        byte[] given;
        try
        {
            given = Convert.FromHexString(signature);
        }
        catch (FormatException)
        {
            return "signature is not hex";
        }

        return CryptographicOperations.FixedTimeEquals(expected, given) ? null : "signature does not match";
    }

    private static byte[] Hash(string value) => SHA256.HashData(Encoding.UTF8.GetBytes(value));
}
