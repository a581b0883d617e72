using BuzzTalk.AppHost.Publish;
using BuzzTalk.Publishing;
using BuzzTalk.Testing;

namespace BuzzTalk.AppHost.Tests.Publishing;

/// <summary>How a composed bundle lands in its directory: the bundle's folders replaced whole, nothing else touched.</summary>
public sealed class BundleWriterTests
{
    private static readonly IReadOnlyList<BundleFile> Files = BundleComposer.Compose(PublishedModel.Settings("http://203.0.113.10"));

    [Fact]
    public async Task Writers_of_one_directory_at_once_each_leave_the_whole_bundle_and_nothing_of_an_earlier_one()
    {
        using var dir = new ScratchDirectory();
        var stale = Path.Combine(dir.Path, "monitoring", "grafana", "provisioning", "stale.yml");
        Directory.CreateDirectory(Path.GetDirectoryName(stale)!);
        await File.WriteAllTextAsync(stale, "old\n");
        var manifest = Path.Combine(dir.Path, "aspire-manifest.json");
        await File.WriteAllTextAsync(manifest, "{}\n");

        // As two start-up or publish steps of one process might: several at once, round after round; none may fail.
        for (var round = 0; round < 20; round++)
        {
            await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => Task.Run(() => BundleWriter.WriteAsync(dir.Path, Files, CancellationToken.None))));
        }

        Assert.False(File.Exists(stale), "a file of an earlier bundle lingered");
        Assert.True(File.Exists(manifest), "a file outside the bundle's folders was removed");
        foreach (var file in Files)
        {
            Assert.Equal(file.Content, await File.ReadAllTextAsync(Path.Combine(dir.Path, file.Path)));
        }

        var written = Directory.EnumerateFiles(dir.Path, "*", SearchOption.AllDirectories).Select(f => Path.GetRelativePath(dir.Path, f)).Order(StringComparer.Ordinal);
        Assert.Equal(Files.Select(f => f.Path).Append("aspire-manifest.json").Order(StringComparer.Ordinal), written);
    }
}
