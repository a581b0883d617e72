using BuzzTalk.AppHost.Publish;
using BuzzTalk.Publishing;
using BuzzTalk.Publishing.SpotFleet;
using BuzzTalk.Testing;

namespace BuzzTalk.Deployer.Tests.Bundle;

/// <summary>A bundle written by the real publisher into a scratch directory.</summary>
public sealed class PublishedBundle : IDisposable
{
    private readonly ScratchDirectory _scratch = new();

    private PublishedBundle()
    {
    }

    public string Path => _scratch.Path;

    public static async Task<PublishedBundle> WriteAsync(PublishSettings? settings = null)
    {
        var bundle = new PublishedBundle();
        var files = BundleComposer.Compose(settings ?? PublishedModel.Settings("http://203.0.113.10"));
        await BundleWriter.WriteAsync(bundle.Path, files, CancellationToken.None);
        return bundle;
    }

    public string File(string relative) => System.IO.Path.Combine(Path, relative.Replace('/', System.IO.Path.DirectorySeparatorChar));

    public void Dispose() => _scratch.Dispose();
}
