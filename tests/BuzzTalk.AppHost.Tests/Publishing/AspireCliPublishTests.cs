using BuzzTalk.Testing;

namespace BuzzTalk.AppHost.Tests.Publishing;

/// <summary>
/// <c>aspire publish -o &lt;dir&gt; --non-interactive</c> (the Aspire CLI, a local tool restored by
/// eng/test.sh) writes the same bundle as the direct publish command, and fails clearly.
/// </summary>
public sealed class AspireCliPublishTests
{
    private static string ProjectPath => Projects.BuzzTalk_AppHost.ProjectPath;

    private static Task<(int ExitCode, string Output)> AspirePublishAsync(string output, string? publicUrl) =>
        ToolRun.RunAsync("dotnet", Path.GetDirectoryName(ProjectPath)!,
            publicUrl is null ? null : new Dictionary<string, string> { ["Parameters__public-url"] = publicUrl },
            "tool", "run", "aspire", "--", "publish", "--apphost", ProjectPath, "-o", output, "--non-interactive");

    [Fact]
    public async Task Aspire_publish_writes_the_same_bundle_as_the_direct_command()
    {
        using var scratch = new ScratchDirectory();
        var viaCli = Path.Combine(scratch.Path, "cli");
        var direct = Path.Combine(scratch.Path, "direct");

        var (exit, output) = await AspirePublishAsync(viaCli, PublishRun.PublicUrl);
        Assert.True(exit == 0, output);
        var (directExit, directOutput) = await PublishRun.RunAsync(direct, $"--Parameters:public-url={PublishRun.PublicUrl}");
        Assert.True(directExit == 0, directOutput);

        var a = PublishRun.ReadTree(viaCli);
        var b = PublishRun.ReadTree(direct);
        Assert.Equal(b.Keys, a.Keys);
        Assert.All(a, file => Assert.True(file.Value.AsSpan().SequenceEqual(b[file.Key]), $"{file.Key} differs"));
    }

    [Fact]
    public async Task Aspire_publish_without_the_public_url_fails_and_names_it()
    {
        using var scratch = new ScratchDirectory();
        var (exit, output) = await AspirePublishAsync(Path.Combine(scratch.Path, "out"), publicUrl: null);
        Assert.NotEqual(0, exit);
        Assert.Contains("public-url", output, StringComparison.Ordinal);
    }
}
