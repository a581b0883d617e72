namespace BuzzTalk.Deployer.Env;

/// <summary>
/// Hides secret values in text that may echo them (remote command errors, exception messages).
/// A value is secret when its key contains PASSWORD, SECRET, TOKEN, KEY, URL (URLs may carry
/// credentials) or CONNECTIONSTRING.
/// </summary>
public static class SecretRedactor
{
    public const string Mask = "***";

    private static readonly string[] SecretMarkers = ["PASSWORD", "SECRET", "TOKEN", "KEY", "URL", "CONNECTIONSTRING"];

    public static bool IsSecretKey(string key) =>
        SecretMarkers.Any(m => key.Contains(m, StringComparison.OrdinalIgnoreCase));

    /// <summary>A function that replaces every secret value of <paramref name="env"/> in a text with <see cref="Mask"/>.</summary>
    public static Func<string, string> RedactedSecrets(EnvFile env)
    {
        ArgumentNullException.ThrowIfNull(env);
        return Redacted(env.Entries.Select(e => (e.Key, e.Value)));
    }

    /// <summary>
    /// The same for a file that does not parse as a .env (edited by hand): each line's text after
    /// its first '=' is the value of the key before it, taken both as written and unquoted.
    /// </summary>
    public static Func<string, string> RedactedLines(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var entries = new List<(string Key, string Value)>();
        foreach (var line in text.Split('\n'))
        {
            var equals = line.IndexOf('=', StringComparison.Ordinal);
            if (equals <= 0)
            {
                continue;
            }

            var key = line[..equals].Trim();
            var value = line[(equals + 1)..].Trim();
            entries.Add((key, value));
            // Quoted, or with a quote left open (the likely reason it did not parse).
            if (value.Trim('"', '\'') is var unquoted && unquoted != value)
            {
                entries.Add((key, unquoted));
            }
        }

        return Redacted(entries);
    }

    private static Func<string, string> Redacted(IEnumerable<(string Key, string Value)> entries)
    {
        var secrets = new HashSet<string>(StringComparer.Ordinal);
        foreach (var entry in entries.Where(e => IsSecretKey(e.Key) && e.Value.Length > 0))
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
