using BuzzTalk.Deployer.Rollout;
using BuzzTalk.Fleet;
using BuzzTalk.Testing;

namespace BuzzTalk.Deployer.Tests.Rollout;

/// <summary>The Deployer's embedded shell passes shellcheck and moves the release links as the rollout expects.</summary>
public sealed class ReleaseLinksScriptTests
{
    private static readonly System.Reflection.Assembly Deployer = typeof(InstanceRollout).Assembly;

    [Fact]
    public async Task Every_embedded_script_passes_shellcheck_at_style_level()
    {
        using var dir = new ScratchDirectory();
        Assert.Contains("release-links.sh", EmbeddedScript.NamesIn(Deployer));
        foreach (var name in EmbeddedScript.NamesIn(Deployer))
        {
            var path = Path.Combine(dir.Path, name);
            await File.WriteAllTextAsync(path, EmbeddedScript.Read(Deployer, name));
            var (exit, output) = await ToolRun.RunAsync("shellcheck", dir.Path, "-S", "style", path);
            Assert.True(exit == 0, $"{name}:\n{output}");
        }
    }

    [Fact]
    public async Task Switch_moves_current_to_previous_and_swap_goes_back()
    {
        using var root = new ScratchDirectory();
        var script = EmbeddedScript.Read(Deployer, "release-links.sh");
        Task<string> Run(params string[] args) => ToolRun.RunCheckedAsync("sh", root.Path, ["-c", script, "release-links", .. args]);
        string Link(string name) => Path.GetFileName(File.ResolveLinkTarget(Path.Combine(root.Path, name), returnFinalTarget: false)!.FullName);

        await Run("switch", root.Path, Path.Combine(root.Path, "releases", "aaaaaaaaaaaa"));
        Assert.Equal("aaaaaaaaaaaa", Link("current"));
        Assert.False(File.Exists(Path.Combine(root.Path, "previous")) || Directory.Exists(Path.Combine(root.Path, "previous")));

        await Run("switch", root.Path, Path.Combine(root.Path, "releases", "bbbbbbbbbbbb"));
        Assert.Equal(("bbbbbbbbbbbb", "aaaaaaaaaaaa"), (Link("current"), Link("previous")));

        var swapped = await Run("swap", root.Path);
        Assert.Equal(Path.Combine(root.Path, "releases", "aaaaaaaaaaaa"), swapped.Trim());
        Assert.Equal(("aaaaaaaaaaaa", "bbbbbbbbbbbb"), (Link("current"), Link("previous")));
        Assert.DoesNotContain(Directory.EnumerateFileSystemEntries(root.Path), e => e.EndsWith(".tmp", StringComparison.Ordinal));

        var (exit, output) = await ToolRun.RunAsync("sh", root.Path, "-c", script, "release-links", "delete", root.Path);
        Assert.Equal(2, exit);
        Assert.Contains("unknown operation delete", output, StringComparison.Ordinal);
    }
}
