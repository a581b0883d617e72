using System.Security.Cryptography;
using System.Text;

namespace BuzzTalk.ServiceDefaults;

/// <summary>
/// The one HTTP basic check of the BuzzTalk services (the Scaler's webhooks, the Deployer's API):
/// the scheme matched case-insensitively (RFC 7617), user name and password both compared, in
/// constant time, on SHA-256 hashes, so not even a secret's length leaks. With no password
/// configured nothing is accepted. No credential is ever logged.
/// </summary>
public sealed class BasicCredentials
{
    private const string Scheme = "Basic ";

    private readonly byte[] _user;
    private readonly byte[] _password;
    private readonly bool _isConfigured;

    public BasicCredentials(string? user, string? password)
    {
        _isConfigured = !string.IsNullOrEmpty(user) && !string.IsNullOrEmpty(password);
        _user = Hash(user ?? "");
        _password = Hash(password ?? "");
    }

    /// <summary>True when <paramref name="authorization"/> (the header's value) carries these credentials.</summary>
    public bool Accepts(string? authorization)
    {
        if (!_isConfigured || authorization is null || !authorization.StartsWith(Scheme, StringComparison.OrdinalIgnoreCase))
        {
            return false;
        }

        string decoded;
        try
        {
            decoded = Encoding.UTF8.GetString(Convert.FromBase64String(authorization[Scheme.Length..].Trim()));
        }
        catch (FormatException)
        {
            return false;
        }

        // The user name ends at the first colon; the password may hold more.
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

    private static byte[] Hash(string value) => SHA256.HashData(Encoding.UTF8.GetBytes(value));
}
