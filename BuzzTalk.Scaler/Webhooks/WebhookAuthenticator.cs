using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using BuzzTalk.ServiceDefaults;

namespace BuzzTalk.Scaler.Webhooks;

/// <summary>
/// HTTP basic credentials (<see cref="BasicCredentials"/>) and Grafana's HMAC signature, compared
/// in constant time. No credential is ever logged.
/// </summary>
public sealed class WebhookAuthenticator(WebhookOptions options, TimeProvider time)
{
    private readonly BasicCredentials _credentials = new(options.Username, options.Password);

    public bool IsAuthorized(string? authorization) => _credentials.Accepts(authorization);

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
}
