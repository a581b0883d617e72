using System.Reflection;

namespace BuzzTalk.Fleet;

/// <summary>
/// Shell scripts (and the templates they are made from) kept as files beside the code that runs
/// them and embedded in its assembly under their file name, so shellcheck reads what the hosts
/// run. Each project embeds its own (<c>EmbeddedResource</c> with <c>LogicalName</c> its file name).
/// </summary>
public static class EmbeddedScript
{
    /// <summary>Every script Fleet carries, by file name.</summary>
    public static IEnumerable<string> Names => NamesIn(typeof(EmbeddedScript).Assembly);

    /// <summary>Every script the assembly carries, by file name.</summary>
    public static IEnumerable<string> NamesIn(Assembly assembly)
    {
        ArgumentNullException.ThrowIfNull(assembly);
        return assembly.GetManifestResourceNames().Where(n => n.EndsWith(".sh", StringComparison.Ordinal));
    }

    public static string Read(string name) => Read(typeof(EmbeddedScript).Assembly, name);

    /// <summary>The embedded file <paramref name="name"/> of <paramref name="assembly"/>.</summary>
    public static string Read(Assembly assembly, string name)
    {
        ArgumentNullException.ThrowIfNull(assembly);
        using var stream = assembly.GetManifestResourceStream(name)
            ?? throw new InvalidOperationException($"No embedded file {name} in {assembly.GetName().Name}.");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }
}
