using System.Security.Cryptography;
using System.Text;

namespace BuzzTalk.Fleet.Ssh;

/// <summary>
/// An OpenSSH <c>known_hosts</c> file: plain (<c>host,[host]:port</c>) and hashed
/// (<c>|1|salt|hash</c>) host patterns, <c>@revoked</c> markers. Host keys are pinned here and
/// nowhere else: a host that is not listed, or listed with another key, is refused.
/// </summary>
public sealed class KnownHosts
{
    private readonly List<Entry> _entries;

    private KnownHosts(List<Entry> entries) => _entries = entries;

    public static KnownHosts Parse(string text)
    {
        var entries = new List<Entry>();
        foreach (var raw in text.Split('\n'))
        {
            var line = raw.Trim();
            if (line.Length == 0 || line.StartsWith('#'))
            {
                continue;
            }

            var fields = line.Split((char[])[' ', '\t'], StringSplitOptions.RemoveEmptyEntries);
            var revoked = false;
            if (fields[0].StartsWith('@'))
            {
                if (fields[0] != "@revoked")
                {
                    continue; // @cert-authority: host certificates are not trusted here
                }

                revoked = true;
                fields = fields[1..];
            }

            if (fields.Length < 3)
            {
                continue;
            }

            byte[] key;
            try
            {
                key = Convert.FromBase64String(fields[2]);
            }
            catch (FormatException)
            {
                continue;
            }

            entries.Add(new Entry(fields[0].Split(','), fields[1], key, revoked));
        }

        return new KnownHosts(entries);
    }

    public static KnownHosts Load(string path) => Parse(File.ReadAllText(path));

    /// <summary>What the file says about this host presenting this key.</summary>
    public HostKeyVerdict Verify(string host, int port, string algorithm, byte[] key)
    {
        var name = port == 22 ? host : $"[{host}]:{port}";
        var matching = _entries.Where(e => e.Matches(name)).ToList();
        if (matching.Any(e => e.Revoked && e.Key.AsSpan().SequenceEqual(key)))
        {
            return HostKeyVerdict.Revoked;
        }

        if (matching.Any(e => !e.Revoked && e.Algorithm == algorithm && e.Key.AsSpan().SequenceEqual(key)))
        {
            return HostKeyVerdict.Trusted;
        }

        return matching.Any(e => !e.Revoked) ? HostKeyVerdict.Changed : HostKeyVerdict.Unknown;
    }

    /// <summary>A <c>known_hosts</c> line for a host and key (what <c>ssh-keyscan</c> prints).</summary>
    public static string Line(string host, int port, string algorithm, byte[] key) =>
        $"{(port == 22 ? host : $"[{host}]:{port}")} {algorithm} {Convert.ToBase64String(key)}";

    private sealed record Entry(string[] Patterns, string Algorithm, byte[] Key, bool Revoked)
    {
        // A negated pattern (!host) that matches excludes the entry, as in OpenSSH.
        public bool Matches(string name) =>
            !Patterns.Any(p => p.StartsWith('!') && PatternMatches(p[1..], name))
            && Patterns.Any(p => !p.StartsWith('!') && PatternMatches(p, name));

        private static bool PatternMatches(string pattern, string name) =>
            pattern.StartsWith("|1|", StringComparison.Ordinal)
                ? HashedMatches(pattern, name)
                : pattern.Contains('*', StringComparison.Ordinal) || pattern.Contains('?', StringComparison.Ordinal)
                    ? System.IO.Enumeration.FileSystemName.MatchesSimpleExpression(pattern, name, ignoreCase: true)
                    : string.Equals(pattern, name, StringComparison.OrdinalIgnoreCase);

        // |1|base64(salt)|base64(HMAC-SHA1(salt, name)), as ssh-keygen -H writes it.
        private static bool HashedMatches(string pattern, string name)
        {
            var parts = pattern.Split('|');
            if (parts.Length != 4)
            {
                return false;
            }

            try
            {
                var salt = Convert.FromBase64String(parts[2]);
                var expected = Convert.FromBase64String(parts[3]);
#pragma warning disable CA5350 // The known_hosts format fixes HMAC-SHA1; it only hides host names.
                var actual = HMACSHA1.HashData(salt, Encoding.ASCII.GetBytes(name.ToLowerInvariant()));
#pragma warning restore CA5350
                return CryptographicOperations.FixedTimeEquals(actual, expected);
            }
            catch (FormatException)
            {
                return false;
            }
        }
    }
}
