using System.Text;
using BuzzTalk.Discovery.Providers;
using YamlDotNet.Core;
using YamlDotNet.Core.Events;

namespace BuzzTalk.Discovery.Outputs;

/// <summary>
/// The target-group list as YAML (the seed's file_sd format), emitted event by event (no reflection, so
/// AOT-safe) and streamed. Every value is double-quoted, so an empty value or one YAML would read as a number,
/// bool or null stays a string.
/// </summary>
public sealed class TargetGroupYamlWriter
{
    private readonly Emitter _emitter;

    private TargetGroupYamlWriter(TextWriter text)
    {
        _emitter = new Emitter(text);
        _emitter.Emit(new StreamStart());
        _emitter.Emit(new DocumentStart());
        _emitter.Emit(new SequenceStart(null, null, false, SequenceStyle.Block));
    }

    public static async Task WriteAsync(Stream stream, IReadOnlyList<DiscoveredInstance> instances, CancellationToken cancellationToken)
    {
        await using var text = new StreamWriter(stream, new UTF8Encoding(encoderShouldEmitUTF8Identifier: false), 16 * 1024, leaveOpen: true);
        var yaml = new TargetGroupYamlWriter(text);
        foreach (var instance in instances)
        {
            yaml.BeginGroup([instance.PublicIpIsV6 ? $"[{instance.PublicIp}]" : instance.PublicIp]);
            var sink = new YamlLabelSink(yaml);
            TargetLabels.Write(instance, ref sink);
            yaml.EndGroup();
            cancellationToken.ThrowIfCancellationRequested();
        }

        yaml.End();
        await text.FlushAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Groups given as target lists and label pairs (tests, small lists).</summary>
    public static void Write(TextWriter text, IEnumerable<(IReadOnlyList<string> Targets, IEnumerable<KeyValuePair<string, string>> Labels)> groups)
    {
        var yaml = new TargetGroupYamlWriter(text);
        foreach (var (targets, labels) in groups)
        {
            yaml.BeginGroup(targets);
            foreach (var (name, value) in labels)
            {
                yaml.Label(name, value);
            }

            yaml.EndGroup();
        }

        yaml.End();
    }

    private void BeginGroup(IReadOnlyList<string> targets)
    {
        _emitter.Emit(new MappingStart());
        Plain("targets");
        _emitter.Emit(new SequenceStart(null, null, false, SequenceStyle.Block));
        foreach (var target in targets)
        {
            Quoted(target);
        }

        _emitter.Emit(new SequenceEnd());
        Plain("labels");
        _emitter.Emit(new MappingStart());
    }

    private void Label(string name, string value)
    {
        Plain(name);
        Quoted(value);
    }

    private void EndGroup()
    {
        _emitter.Emit(new MappingEnd());
        _emitter.Emit(new MappingEnd());
    }

    private void End()
    {
        _emitter.Emit(new SequenceEnd());
        _emitter.Emit(new DocumentEnd(true));
        _emitter.Emit(new StreamEnd());
    }

    private void Plain(string value) => _emitter.Emit(new Scalar(value));

    private void Quoted(string value) => _emitter.Emit(new Scalar(null, null, value, ScalarStyle.DoubleQuoted, false, true));

    private readonly struct YamlLabelSink(TargetGroupYamlWriter yaml) : ILabelSink
    {
        public void Label(string name, string value) => yaml.Label(name, value);
    }
}
