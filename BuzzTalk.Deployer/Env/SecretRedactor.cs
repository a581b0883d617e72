namespace BuzzTalk.Deployer.Env;

/// <summary>
/// Hides secret values in text that may echo them (remote command errors, exception messages).
/// A value is secret when its key contains PASSWORD, SECRET, TOKEN, KEY or URL (URLs may carry credentials).
/// </summary>
public static class SecretRedactor
{
    public const string Mask = "***";

    private static readonly string[] SecretMarkers = ["PASSWORD", "SECRET", "TOKEN", "KEY", "URL"];

    public static bool IsSecretKey(string key) =>
        SecretMarkers.Any(m => key.Contains(m, StringComparison.OrdinalIgnoreCase));

    /// <summary>A function that replaces every secret value of <paramref name="env"/> in a text with <see cref="Mask"/>.</summary>
    public static Func<string, string> RedactedSecrets(EnvFile env)
    {
        ArgumentNullException.ThrowIfNull(env);
        var secrets = new HashSet<string>(StringComparer.Ordinal);
        foreach (var entry in env.Entries.Where(e => IsSecretKey(e.Key) && e.Value.Length > 0))
        {
            secrets.Add(entry.Value);
            // Tools often echo a value percent-encoded (in a URL) or just a URL's password part.
            secrets.Add(Uri.EscapeDataString(entry.Value));
            if (Uri.TryCreate(entry.Value, UriKind.Absolute, out var uri) && uri.UserInfo.Length > 0)
            {
                var password = uri.UserInfo[(uri.UserInfo.IndexOf(':', StringComparison.Ordinal) + 1)..];
                if (password.Length > 0)
                {
                    secrets.Add(password);
                    secrets.Add(Uri.UnescapeDataString(password));
                }
            }
        }

        // Longest first, so a secret that contains another is masked whole.
        var ordered = secrets.Where(s => s.Length > 0).OrderByDescending(s => s.Length).ThenBy(s => s, StringComparer.Ordinal).ToArray();
        return text =>
        {
            if (string.IsNullOrEmpty(text))
            {
                return text;
            }

            foreach (var secret in ordered)
            {
                text = text.Replace(secret, Mask, StringComparison.Ordinal);
            }

            return text;
        };
    }
}
