using System.Text;

namespace BuzzTalk.Fleet.Swarm;

/// <summary>One Docker Engine API answer: status and whole body.</summary>
public sealed record EngineResponse(int Status, byte[] Body)
{
    public bool Succeeded => Status is >= 200 and < 300;

    /// <summary>The engine's own error text (<c>{"message": ...}</c>), bounded, for messages.</summary>
    public string Message
    {
        get
        {
            var text = Encoding.UTF8.GetString(Body, 0, Math.Min(Body.Length, 1000)).Trim();
            return text.StartsWith("{\"message\":\"", StringComparison.Ordinal) && text.EndsWith("\"}", StringComparison.Ordinal)
                ? text["{\"message\":\"".Length..^2]
                : text;
        }
    }
}
