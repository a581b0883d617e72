using BuzzTalk.Testing;

namespace BuzzTalk.Fleet.Tests;

/// <summary>The shell Fleet runs on the hosts, as it is embedded, passes shellcheck.</summary>
public sealed class EmbeddedScriptTests
{
    [Fact]
    public void The_lease_scripts_are_embedded()
    {
        Assert.Equal(["deploy-lease.sh", "lease-fence.sh", "lease-gate.sh"], EmbeddedScript.Names.Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task Every_embedded_script_passes_shellcheck_at_style_level()
    {
        using var dir = new ScratchDirectory();
        foreach (var name in EmbeddedScript.Names)
        {
            var path = Path.Combine(dir.Path, name);
            await File.WriteAllTextAsync(path, EmbeddedScript.Read(name));
            // Each script names its shell in a directive; a finding fails with shellcheck's own words.
            var (exit, output) = await ToolRun.RunAsync("shellcheck", dir.Path, "-S", "style", path);
            Assert.True(exit == 0, $"{name}:\n{output}");
        }
    }
}
