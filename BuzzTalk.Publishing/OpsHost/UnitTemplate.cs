using System.Text;
using System.Text.RegularExpressions;

namespace BuzzTalk.Publishing.OpsHost;

/// <summary>
/// Fills <c>__NAME__</c> placeholders of a systemd unit template. Unit values are not shell, so
/// they go in unquoted, but only values systemd reads literally (no line break, <c>%</c> specifier
/// or <c>\</c> escape): a setting can never add a line or a directive.
/// </summary>
internal static partial class UnitTemplate
{
    /// <summary>
    /// Replaces every placeholder with its value; a line with a list placeholder is written once per
    /// item (not at all for an empty list). Fails on a placeholder without a value or a value without
    /// a placeholder, so template and generator cannot drift apart. Output has LF line endings and one
    /// trailing newline.
    /// </summary>
    public static string Render(
        string template,
        IReadOnlyDictionary<string, string> values,
        IReadOnlyDictionary<string, IReadOnlyList<string>>? lists = null)
    {
        lists ??= new Dictionary<string, IReadOnlyList<string>>();
        var lines = template.Replace("\r\n", "\n", StringComparison.Ordinal).TrimEnd('\n').Split('\n');
        var named = lines.SelectMany(l => Placeholder().Matches(l)).Select(Name).ToHashSet(StringComparer.Ordinal);
        if (named.FirstOrDefault(n => !values.ContainsKey(n) && !lists.ContainsKey(n)) is { } missing)
        {
            throw new InvalidOperationException($"template placeholder __{missing}__ has no value");
        }

        if (values.Keys.Concat(lists.Keys).FirstOrDefault(n => !named.Contains(n)) is { } unused)
        {
            throw new InvalidOperationException($"template has no placeholder __{unused}__");
        }

        var text = new StringBuilder();
        foreach (var line in lines)
        {
            var listed = Placeholder().Matches(line).Select(Name).Where(lists.ContainsKey).Distinct(StringComparer.Ordinal).ToArray();
            if (listed.Length > 1)
            {
                throw new InvalidOperationException($"template line '{line}' has more than one list placeholder");
            }

            // A line without a list placeholder is written once.
            IReadOnlyList<string> items = listed.Length == 0 ? [string.Empty] : lists[listed[0]];
            foreach (var item in items)
            {
                text.Append(Placeholder().Replace(line, m => Literal(lists.ContainsKey(Name(m)) ? item : values[Name(m)]))).Append('\n');
            }
        }

        return text.ToString();
    }

    private static string Name(Match placeholder) => placeholder.Groups["name"].Value;

    private static string Literal(string value)
    {
        if (value.Any(c => char.IsControl(c) || c is '%' or '\\'))
        {
            throw new ArgumentException($"a unit value must not contain control characters, % or \\: {value}", nameof(value));
        }

        return value;
    }

    [GeneratedRegex(@"__(?<name>[A-Z][A-Z0-9_]*)__")]
    private static partial Regex Placeholder();
}
