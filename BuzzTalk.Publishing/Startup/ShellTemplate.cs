using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace BuzzTalk.Publishing.Startup;

/// <summary>
/// Fills <c>__NAME__</c> placeholders of a bash template with single-quoted, validated values,
/// so a setting can never end a quote or start a command.
/// </summary>
internal static partial class ShellTemplate
{
    /// <summary>Quotes a value for bash: one single-quoted word, embedded quotes as <c>'\''</c>.</summary>
    public static string Quote(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        if (value.Any(char.IsControl))
        {
            throw new ArgumentException($"a shell value must not contain control characters: {value}", nameof(value));
        }

        return "'" + value.Replace("'", @"'\''", StringComparison.Ordinal) + "'";
    }

    /// <summary>
    /// Replaces every placeholder with its quoted value (a list: quoted words for a bash array); fails on a placeholder without a value
    /// or a value without a placeholder, so template and generator cannot drift apart.
    /// Output has LF line endings and one trailing newline.
    /// </summary>
    public static string Render(
        string template,
        IReadOnlyDictionary<string, string> values,
        IReadOnlyDictionary<string, IReadOnlyList<string>>? lists = null)
    {
        var text = new StringBuilder(template.Replace("\r\n", "\n", StringComparison.Ordinal));
        var words = values.Select(v => (v.Key, Quote(v.Value)))
            .Concat((lists ?? new Dictionary<string, IReadOnlyList<string>>()).Select(l => (l.Key, string.Join(' ', l.Value.Select(Quote)))));
        foreach (var (name, quoted) in words.OrderBy(v => v.Key, StringComparer.Ordinal))
        {
            var placeholder = "__" + name + "__";
            if (!text.ToString().Contains(placeholder, StringComparison.Ordinal))
            {
                throw new InvalidOperationException($"template has no placeholder {placeholder}");
            }

            text.Replace(placeholder, quoted);
        }

        var result = text.ToString().TrimEnd('\n') + "\n";
        if (Placeholder().Match(result) is { Success: true } left)
        {
            throw new InvalidOperationException($"template placeholder {left.Value} has no value");
        }

        return result;
    }

    /// <summary>
    /// Keeps or drops the lines between <c>#&gt;name</c> and <c>#&lt;name</c> (the marker lines always
    /// go): a part only some bundles need leaves the others' scripts byte for byte as they were.
    /// </summary>
    public static string Section(string template, string name, bool keep)
    {
        ArgumentNullException.ThrowIfNull(template);
        var lines = template.Replace("\r\n", "\n", StringComparison.Ordinal).Split('\n');
        var result = new List<string>();
        var inside = false;
        var found = false;
        foreach (var line in lines)
        {
            if (line == "#>" + name || line == "#<" + name)
            {
                if (inside == (line[1] == '>'))
                {
                    throw new InvalidOperationException($"template section {name} is not closed before it opens again");
                }

                inside = line[1] == '>';
                found = true;
                continue;
            }

            if (!inside || keep)
            {
                result.Add(line);
            }
        }

        return !found || inside ? throw new InvalidOperationException($"template has no closed section {name}") : string.Join('\n', result);
    }

    /// <summary>An absolute path of plain characters (no spaces, quotes, <c>$</c>, <c>%</c> or <c>..</c>).</summary>
    public static string RequirePath(string value, string what)
    {
        ArgumentNullException.ThrowIfNull(value);
        if (!PathPattern().IsMatch(value) || value.Split('/').Contains(".."))
        {
            throw new ArgumentException($"{what} must be an absolute path of [A-Za-z0-9._/-]: '{value}'", what);
        }

        return value.Length > 1 ? value.TrimEnd('/') : value;
    }

    public static string RequireMatch(string value, Regex pattern, string what)
    {
        ArgumentNullException.ThrowIfNull(value);
        if (!pattern.IsMatch(value))
        {
            throw new ArgumentException($"{what} '{value}' does not match {pattern}", what);
        }

        return value;
    }

    public static int RequirePort(int port, string what) =>
        port is >= 1 and <= 65535
            ? port
            : throw new ArgumentOutOfRangeException(what, port.ToString(CultureInfo.InvariantCulture), "ports are 1-65535");

    /// <summary>A stack, unit or Linux user name: letters, digits, <c>_</c>, <c>-</c>; starts with a letter or digit.</summary>
    [GeneratedRegex(@"^[a-z0-9][a-z0-9_-]{0,31}$")]
    public static partial Regex SimpleName();

    /// <summary>A swarm service of the stack (the spot fleet's rule for resource names).</summary>
    [GeneratedRegex(@"^[a-z][a-z0-9-]{0,62}$")]
    public static partial Regex ServiceName();

    /// <summary>An instance metadata key.</summary>
    [GeneratedRegex(@"^[a-z0-9][a-z0-9_-]{0,127}$")]
    public static partial Regex MetadataKey();

    /// <summary>A docker image tag (same rule as <see cref="ContainerImage.Tag"/>).</summary>
    [GeneratedRegex(@"^[A-Za-z0-9_][A-Za-z0-9_.\-]{0,127}$")]
    public static partial Regex ImageTag();

    /// <summary>An object-name prefix: segments of [A-Za-z0-9_-] and inner dots, no empty or dot-only segment.</summary>
    [GeneratedRegex(@"^[A-Za-z0-9_-][A-Za-z0-9._-]*(/[A-Za-z0-9_-][A-Za-z0-9._-]*)*$")]
    public static partial Regex ObjectPrefix();

    [GeneratedRegex(@"^/[A-Za-z0-9._/\-]*$")]
    private static partial Regex PathPattern();

    [GeneratedRegex(@"__[A-Z][A-Z0-9_]*__")]
    private static partial Regex Placeholder();
}
