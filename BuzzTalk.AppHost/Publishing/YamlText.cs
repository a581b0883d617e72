using System.Globalization;
using System.Text.RegularExpressions;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace BuzzTalk.AppHost.Publishing;

/// <summary>
/// Small builders over YamlDotNet's representation model so generated YAML keeps the order it
/// is written in and quotes exactly the strings YAML would otherwise read as numbers or booleans.
/// </summary>
public static partial class YamlText
{
    public static YamlMappingNode Map(params (string Key, YamlNode? Value)[] entries)
    {
        var map = new YamlMappingNode();
        foreach (var (key, value) in entries)
        {
            if (value is not null)
            {
                map.Add(new YamlScalarNode(key), value);
            }
        }

        return map;
    }

    public static YamlSequenceNode Seq(params YamlNode[] items) => new(items);

    public static YamlSequenceNode Seq(params string[] items) => new(items.Select(Str));

    /// <summary>A string, quoted when a plain scalar would not read back as the same string.</summary>
    public static YamlScalarNode Str(string value) =>
        new(value) { Style = PlainSafe().IsMatch(value) && !LooksTyped(value) ? ScalarStyle.Plain : ScalarStyle.DoubleQuoted };

    public static YamlScalarNode Num(int value) => new(value.ToString(CultureInfo.InvariantCulture)) { Style = ScalarStyle.Plain };

    /// <summary>A scalar written as given, unquoted: octal modes and floats.</summary>
    public static YamlScalarNode Plain(string value) => new(value) { Style = ScalarStyle.Plain };

    public static YamlScalarNode Bool(bool value) => new(value ? "true" : "false") { Style = ScalarStyle.Plain };

    /// <summary>Renders one document with LF line endings and no document markers.</summary>
    public static string Render(YamlNode root, string? headerComment = null)
    {
        using var writer = new StringWriter(CultureInfo.InvariantCulture) { NewLine = "\n" };
        if (headerComment is not null)
        {
            foreach (var line in headerComment.Split('\n'))
            {
                writer.Write("# " + line + "\n");
            }
        }

        var stream = new YamlStream(new YamlDocument(root));
        stream.Save(new Emitter(writer, new EmitterSettings().WithBestIndent(2).WithBestWidth(int.MaxValue)), assignAnchors: false);
        var text = writer.ToString().Replace("\r\n", "\n", StringComparison.Ordinal);
        // YamlStream ends a document with "...": not wanted in a config file.
        if (text.EndsWith("...\n", StringComparison.Ordinal))
        {
            text = text[..^4];
        }

        return text;
    }

    private static bool LooksTyped(string value) =>
        value.Length == 0
        || double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out _)
        || value.ToUpperInvariant() is "TRUE" or "FALSE" or "YES" or "NO" or "ON" or "OFF" or "NULL" or "~" or "Y" or "N";

    [GeneratedRegex(@"^[A-Za-z0-9/_.][A-Za-z0-9/_.:@=+\-]*$")]
    private static partial Regex PlainSafe();
}
