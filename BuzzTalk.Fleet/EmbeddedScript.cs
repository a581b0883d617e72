namespace BuzzTalk.Fleet;

/// <summary>
/// Shell scripts kept as <c>.sh</c> files beside the code that runs them and embedded in the
/// assembly under their file name, so shellcheck reads what the hosts run.
/// </summary>
public static class EmbeddedScript
{
    /// <summary>Every script this assembly carries, by file name.</summary>
    public static IEnumerable<string> Names =>
        typeof(EmbeddedScript).Assembly.GetManifestResourceNames().Where(n => n.EndsWith(".sh", StringComparison.Ordinal));

    public static string Read(string name)
    {
        using var stream = typeof(EmbeddedScript).Assembly.GetManifestResourceStream(name)
            ?? throw new InvalidOperationException($"No embedded script {name}.");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }
}
