using BuzzTalk.Fleet;
using BuzzTalk.Publishing;
using BuzzTalk.Testing;

namespace BuzzTalk.AppHost.Tests.Publishing;

/// <summary>The bundle's shell templates, as embedded (placeholders in), pass shellcheck.</summary>
public sealed class EmbeddedScriptTests
{
    [Fact]
    public async Task Every_embedded_script_of_the_publisher_passes_shellcheck_at_style_level()
    {
        var publishing = typeof(BundleComposer).Assembly;
        var names = EmbeddedScript.NamesIn(publishing).Order(StringComparer.Ordinal).ToArray();
        Assert.Equal(["bootstrap.sh", "install.sh", "instance.sh", "shutdown.sh"], names);

        using var dir = new ScratchDirectory();
        foreach (var name in names)
        {
            var path = Path.Combine(dir.Path, name);
            await File.WriteAllTextAsync(path, EmbeddedScript.Read(publishing, name));
            // Each template names its shell in its shebang; a finding fails with shellcheck's own words.
            var (exit, output) = await ToolRun.RunAsync("shellcheck", dir.Path, "-S", "style", path);
            Assert.True(exit == 0, $"{name}:\n{output}");
        }
    }
}
