using System.Globalization;
using System.Text.RegularExpressions;
using YamlDotNet.Core;
using YamlDotNet.Core.Events;
using YamlDotNet.RepresentationModel;

namespace BuzzTalk.Publishing;

/// <summary>
/// Builds YamlDotNet representation nodes and writes them with the emitter: block style,
/// indented sequences, LF, no line wrapping, and strings quoted whenever a YAML 1.1 reader
/// (Prometheus, Alertmanager and Grafana all use Go yaml) would read them as anything else.
/// </summary>
public static partial class YamlText
{
    /// <summary>A mapping in the given key order (order is part of the output).</summary>
    public static YamlMappingNode Map(params (string Key, YamlNode? Value)[] entries)
    {
        var map = new YamlMappingNode();
        foreach (var (key, value) in entries)
        {
            // Null means "leave the key out", which keeps optional keys readable at the call site.
            if (value is not null)
            {
                map.Add(Str(key), value);
            }
        }

        return map;
    }

    public static YamlSequenceNode Seq(params YamlNode[] items) => new(items);

    public static YamlSequenceNode SeqOf(IEnumerable<YamlNode> items) => new(items);

    public static YamlSequenceNode StrSeq(params string[] items) => new(items.Select(i => (YamlNode)Str(i)));

    /// <summary>A string: plain when it reads back as the same string, double-quoted otherwise.</summary>
    public static YamlScalarNode Str(string value) =>
        new(value) { Style = NeedsQuotes(value) ? ScalarStyle.DoubleQuoted : ScalarStyle.Plain };

    public static YamlScalarNode Num(long value) => new(value.ToString(CultureInfo.InvariantCulture)) { Style = ScalarStyle.Plain };

    public static YamlScalarNode Num(double value) => new(value.ToString("R", CultureInfo.InvariantCulture)) { Style = ScalarStyle.Plain };

    /// <summary>A scalar written as given, unquoted: octal file modes such as <c>0444</c>.</summary>
    public static YamlScalarNode Plain(string value) => new(value) { Style = ScalarStyle.Plain };

    public static YamlScalarNode Bool(bool value) => new(value ? "true" : "false") { Style = ScalarStyle.Plain };

    /// <summary>The document as text: optional leading comment lines, LF endings, one trailing newline.</summary>
    public static string Write(YamlNode root, params string[] headerComments)
    {
        using var writer = new StringWriter(CultureInfo.InvariantCulture) { NewLine = "\n" };
        var settings = EmitterSettings.Default.WithBestWidth(int.MaxValue).WithBestIndent(2).WithIndentedSequences().WithNewLine("\n");
        var emitter = new Emitter(writer, settings);
        emitter.Emit(new StreamStart());
        foreach (var comment in headerComments)
        {
            emitter.Emit(new Comment(comment, false));
        }

        emitter.Emit(new DocumentStart(null, null, true));
        EmitNode(emitter, root);
        emitter.Emit(new DocumentEnd(true));
        emitter.Emit(new StreamEnd());
        var text = writer.ToString().Replace("\r\n", "\n", StringComparison.Ordinal);
        return text.EndsWith('\n') ? text : text + "\n";
    }

    private static void EmitNode(IEmitter emitter, YamlNode node)
    {
        switch (node)
        {
            case YamlScalarNode scalar:
                var style = scalar.Style == ScalarStyle.Any ? ScalarStyle.Plain : scalar.Style;
                emitter.Emit(new Scalar(AnchorName.Empty, TagName.Empty, scalar.Value ?? "", style, true, true));
                break;
            case YamlSequenceNode sequence:
                // An empty list has no block form.
                emitter.Emit(new SequenceStart(AnchorName.Empty, TagName.Empty, true, sequence.Children.Count == 0 ? SequenceStyle.Flow : SequenceStyle.Block));
                foreach (var child in sequence.Children)
                {
                    EmitNode(emitter, child);
                }

                emitter.Emit(new SequenceEnd());
                break;
            case YamlMappingNode mapping:
                emitter.Emit(new MappingStart(AnchorName.Empty, TagName.Empty, true, mapping.Children.Count == 0 ? MappingStyle.Flow : MappingStyle.Block));
                foreach (var (key, value) in mapping.Children)
                {
                    EmitNode(emitter, key);
                    EmitNode(emitter, value);
                }

                emitter.Emit(new MappingEnd());
                break;
            default:
                throw new NotSupportedException($"YAML node {node.GetType().Name} is not supported.");
        }
    }

    private static bool NeedsQuotes(string value) =>
        value.Length == 0
        || value != value.Trim()
        || Reserved().IsMatch(value)
        || Numeric().IsMatch(value)
        || "-?:,[]{}#&*!|>'\"%@`~=".Contains(value[0], StringComparison.Ordinal)
        || value.Contains(": ", StringComparison.Ordinal)
        || value.Contains(" #", StringComparison.Ordinal)
        || value.EndsWith(':')
        || value.Contains('\n', StringComparison.Ordinal)
        || value.Contains('\t', StringComparison.Ordinal);

    // YAML 1.1 booleans and nulls, which Go yaml v2 still resolves.
    [GeneratedRegex("^(?:y|Y|yes|Yes|YES|n|N|no|No|NO|true|True|TRUE|false|False|FALSE|on|On|ON|off|Off|OFF|null|Null|NULL)$")]
    private static partial Regex Reserved();

    // Anything a YAML 1.1 or 1.2 reader could take for a number (ints, floats, hex, octal, sexagesimal, inf/nan).
    [GeneratedRegex(@"^(?:[-+]?(?:[0-9][0-9_:.]*(?:[eE][-+]?[0-9]+)?|\.[0-9]+(?:[eE][-+]?[0-9]+)?|0x[0-9a-fA-F_]+|0o?[0-7_]+|0b[01_]+|\.(?:inf|Inf|INF))|\.(?:nan|NaN|NAN))$")]
    private static partial Regex Numeric();
}
