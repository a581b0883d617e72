namespace BuzzTalk.Discovery.Providers;

/// <summary>
/// One string object per distinct value during a refresh: 50,000 instances in three zones then hold three zone
/// strings, not 50,000. A new pool per refresh, so values that vanish are not kept.
/// </summary>
public sealed class StringPool
{
    private readonly Dictionary<string, string> _strings = new(StringComparer.Ordinal);

    public string Intern(string? value)
    {
        if (string.IsNullOrEmpty(value))
        {
            return "";
        }

        if (_strings.TryGetValue(value, out var pooled))
        {
            return pooled;
        }

        _strings[value] = value;
        return value;
    }
}
