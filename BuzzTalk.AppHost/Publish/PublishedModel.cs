using System.Collections.Concurrent;
using System.Reflection;
using BuzzTalk.AppHost.Configuration;
using BuzzTalk.Publishing;
using BuzzTalk.Publishing.SpotFleet;

namespace BuzzTalk.AppHost.Publish;

/// <summary>
/// The AppHost's own model as a publish builds it, read by the spot fleet's publisher without
/// running anything: for tools and tests that compose a bundle in their own process.
/// </summary>
public static class PublishedModel
{
    private static readonly ConcurrentDictionary<string, Lazy<IReadOnlyList<SwarmServiceSpec>>> Seed = new(StringComparer.Ordinal);

    /// <summary>
    /// Publish settings with the real AppHost's services (built once per process and URL), the
    /// rest at the defaults of <see cref="BuzzTalkOptions"/>: what a bundle composed in process starts from.
    /// </summary>
    public static PublishSettings Settings(string publicUrl, string name = "buzztalk") =>
        PublishSettingsFactory.Create(new BuzzTalkOptions(), publicUrl,
            Seed.GetOrAdd(publicUrl, url => new(() => ServicesAsync(url).GetAwaiter().GetResult())).Value) with { Name = name };

    /// <summary>
    /// The app's services as published, after <paramref name="extend"/> added to the model (and to
    /// the stack's own resources) what an AppHost built on BuzzTalk would; <paramref name="args"/> are
    /// the AppHost's configuration arguments.
    /// </summary>
    public static async Task<IReadOnlyList<SwarmServiceSpec>> ServicesAsync(string publicUrl, IEnumerable<string>? args = null,
        Action<IDistributedApplicationBuilder, BuzzTalkResources>? extend = null, CancellationToken cancellationToken = default)
    {
        var builder = DistributedApplication.CreateBuilder(new DistributedApplicationOptions
        {
            Args = ["--operation", "publish", "--step", "publish", .. args ?? []],
            ProjectDirectory = typeof(PublishedModel).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
                .FirstOrDefault(a => a.Key == "apphostprojectpath")?.Value ?? AppContext.BaseDirectory,
            DisableDashboard = true,
        });
        var stack = await builder.AddBuzzTalkAsync(cancellationToken).ConfigureAwait(false);
        extend?.Invoke(builder, stack);
        return await SwarmServiceDescriber.DescribeAsync(stack.Fleet.Resource, builder.Resources, publicUrl, cancellationToken).ConfigureAwait(false);
    }
}
