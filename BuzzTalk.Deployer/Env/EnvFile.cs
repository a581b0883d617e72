using System.Text;
using System.Text.RegularExpressions;

namespace BuzzTalk.Deployer.Env;

/// <summary>
/// A strictly parsed <c>.env</c> file. Accepted: <c>KEY=value</c> with an optional <c>export </c>, blank
/// lines and <c>#</c> comment lines; blanks around <c>=</c>; single-quoted values taken literally; double-quoted values with the
/// escapes <c>\n</c>, <c>\"</c> and <c>\\</c> only; unquoted values trimmed, where <c> #</c> starts a comment.
/// A quoted value ends on its own line (a newline is written <c>\n</c>). Keys match
/// <c>^[A-Za-z_][A-Za-z0-9_]*$</c>. Anything else (duplicate keys, no <c>=</c>, unterminated quotes, NUL,
/// invalid UTF-8) is an <see cref="EnvFileInvalidException"/> naming the line, never the value.
/// </summary>
public sealed partial class EnvFile
{
    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);
    private readonly Dictionary<string, EnvEntry> _byKey;

    private EnvFile(List<EnvEntry> entries)
    {
        Entries = entries;
        _byKey = entries.ToDictionary(e => e.Key, StringComparer.Ordinal);
        Values = entries.ToDictionary(e => e.Key, e => e.Value, StringComparer.Ordinal);
    }

    /// <summary>The entries in file order.</summary>
    public IReadOnlyList<EnvEntry> Entries { get; }

    /// <summary>Key → value (keys are case-sensitive).</summary>
    public IReadOnlyDictionary<string, string> Values { get; }

    public bool TryGetEntry(string key, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out EnvEntry? entry) =>
        _byKey.TryGetValue(key, out entry);

    /// <summary>Reads and parses a file (bytes, so invalid UTF-8 is caught rather than replaced).</summary>
    public static EnvFile Load(string path) => Parse(File.ReadAllBytes(path));

    public static EnvFile Parse(ReadOnlySpan<byte> content)
    {
        // A UTF-8 BOM from an editor is not part of the first key.
        if (content.StartsWith("\uFEFF"u8))
        {
            content = content[3..];
        }

        var lines = new List<string>();
        var lineNumber = 0;
        while (true)
        {
            lineNumber++;
            var end = content.IndexOf((byte)'\n');
            var line = end < 0 ? content : content[..end];
            try
            {
                lines.Add(StrictUtf8.GetString(line));
            }
            catch (DecoderFallbackException)
            {
                throw new EnvFileInvalidException(lineNumber, "is not valid UTF-8");
            }

            if (end < 0)
            {
                break;
            }

            content = content[(end + 1)..];
        }

        return ParseLines(lines);
    }

    public static EnvFile Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (text.StartsWith('\uFEFF'))
        {
            text = text[1..];
        }

        var lines = text.Split('\n');
        for (var i = 0; i < lines.Length; i++)
        {
            // A lone surrogate has no UTF-8 form: the same refusal as invalid bytes.
            try
            {
                _ = StrictUtf8.GetByteCount(lines[i]);
            }
            catch (EncoderFallbackException)
            {
                throw new EnvFileInvalidException(i + 1, "is not valid UTF-8");
            }
        }

        return ParseLines(lines);
    }

    private static EnvFile ParseLines(IReadOnlyList<string> lines)
    {
        var entries = new List<EnvEntry>();
        var seen = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var i = 0; i < lines.Count; i++)
        {
            var lineNumber = i + 1;
            var line = lines[i];
            // CRLF files from Windows editors: the CR belongs to the line break, not the value.
            if (line.EndsWith('\r'))
            {
                line = line[..^1];
            }

            if (line.Contains('\0', StringComparison.Ordinal))
            {
                throw new EnvFileInvalidException(lineNumber, "contains a NUL character");
            }

            var entry = ParseLine(line.TrimStart(' ', '\t'), lineNumber);
            if (entry is null)
            {
                continue;
            }

            if (seen.TryGetValue(entry.Key, out var first))
            {
                throw new EnvFileInvalidException(lineNumber,
                    $"duplicate key '{entry.Key}' (first set on line {first.ToString(System.Globalization.CultureInfo.InvariantCulture)})");
            }

            seen[entry.Key] = lineNumber;
            entries.Add(entry);
        }

        return new EnvFile(entries);
    }

    private static EnvEntry? ParseLine(string line, int lineNumber)
    {
        if (line.Length == 0 || line.StartsWith('#'))
        {
            return null;
        }

        if (line.StartsWith("export", StringComparison.Ordinal) && line.Length > 6 && line[6] is ' ' or '\t')
        {
            line = line[7..].TrimStart(' ', '\t');
        }

        var equals = line.IndexOf('=', StringComparison.Ordinal);
        if (equals < 0)
        {
            // Not even the start of the line is shown: a pasted secret on its own line has no '='.
            throw new EnvFileInvalidException(lineNumber, "expected KEY=value but found no '='");
        }

        var key = line[..equals].TrimEnd(' ', '\t');
        if (!KeyPattern().IsMatch(key))
        {
            throw new EnvFileInvalidException(lineNumber, "the key is not a valid name (letters, digits and '_', not starting with a digit)");
        }

        var raw = line[(equals + 1)..];
        var rest = raw.TrimStart(' ', '\t');
        var value = rest.Length > 0 && rest[0] == '\''
            ? SingleQuoted(rest, key, lineNumber)
            : rest.Length > 0 && rest[0] == '"'
                ? DoubleQuoted(rest, key, lineNumber)
                : Unquoted(raw);
        return new EnvEntry(key, value, lineNumber);
    }

    private static string SingleQuoted(string rest, string key, int lineNumber)
    {
        var close = rest.IndexOf('\'', 1);
        if (close < 0)
        {
            throw new EnvFileInvalidException(lineNumber, $"unterminated single-quoted value of '{key}'");
        }

        CheckAfterQuote(rest[(close + 1)..], key, lineNumber);
        return rest[1..close];
    }

    private static string DoubleQuoted(string rest, string key, int lineNumber)
    {
        var value = new StringBuilder();
        for (var i = 1; i < rest.Length; i++)
        {
            var c = rest[i];
            if (c == '"')
            {
                CheckAfterQuote(rest[(i + 1)..], key, lineNumber);
                return value.ToString();
            }

            if (c != '\\')
            {
                value.Append(c);
                continue;
            }

            if (i + 1 >= rest.Length)
            {
                break;
            }

            value.Append(rest[++i] switch
            {
                'n' => '\n',
                '"' => '"',
                '\\' => '\\',
                // The escaped character is part of the value, so it is not shown.
                _ => throw new EnvFileInvalidException(lineNumber, $"unsupported escape in the value of '{key}' (only \\n, \\\" and \\\\)"),
            });
        }

        throw new EnvFileInvalidException(lineNumber, $"unterminated double-quoted value of '{key}'");
    }

    private static void CheckAfterQuote(string after, string key, int lineNumber)
    {
        var trimmed = after.TrimStart(' ', '\t');
        if (trimmed.Length > 0 && (trimmed[0] != '#' || trimmed.Length == after.Length))
        {
            throw new EnvFileInvalidException(lineNumber, $"unexpected text after the closing quote of '{key}'");
        }
    }

    private static string Unquoted(string raw)
    {
        // Only a '#' after whitespace starts a comment, so "a#b" and "KEY=#b" keep theirs.
        for (var i = 1; i < raw.Length; i++)
        {
            if (raw[i] == '#' && raw[i - 1] is ' ' or '\t')
            {
                return raw[..i].Trim(' ', '\t');
            }
        }

        return raw.Trim(' ', '\t');
    }

    [GeneratedRegex("^[A-Za-z_][A-Za-z0-9_]*$", RegexOptions.CultureInvariant)]
    private static partial Regex KeyPattern();
}
