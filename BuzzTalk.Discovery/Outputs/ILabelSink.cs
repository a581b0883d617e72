namespace BuzzTalk.Discovery.Outputs;

/// <summary>Receives a target's labels one by one (JSON, YAML or a test), so no dictionary is built per target.</summary>
public interface ILabelSink
{
    void Label(string name, string value);
}
