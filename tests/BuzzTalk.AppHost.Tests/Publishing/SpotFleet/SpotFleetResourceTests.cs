using Aspire.Hosting;
using Aspire.Hosting.ApplicationModel;
using BuzzTalk.AppHost.Publish;
using BuzzTalk.Publishing;
using BuzzTalk.Publishing.SpotFleet;
using BuzzTalk.Publishing.Stack;
using BuzzTalk.Testing;

namespace BuzzTalk.AppHost.Tests.Publishing.SpotFleet;

/// <summary>
/// The spot fleet is a compute environment as Aspire's own are: it carries the bundle and deploy
/// steps, and publishes the marked resources whose compute environment it is.
/// </summary>
public sealed class SpotFleetResourceTests : IDisposable
{
    private const string PublicUrl = "http://203.0.113.10";

    private readonly ScratchDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    /// <summary>Another compute environment the app could publish a resource to.</summary>
    private sealed class OtherEnvironment(string name) : Resource(name), IComputeEnvironmentResource;

    /// <summary>A site and a backend marked for the fleet, and (<paramref name="withFleet"/>) the fleet itself.</summary>
    private static void Model(IDistributedApplicationBuilder builder, bool withFleet)
    {
        builder.AddContainer("web", "busybox", "1").WithHttpEndpoint(targetPort: 8080).WithHealthPath("/")
            .PublishAsSwarmService(s => s.Edge = EdgeRoute.Site);
        builder.AddContainer("api", "busybox", "1").WithHttpEndpoint(targetPort: 8000).WithHealthPath("/health")
            .PublishAsSwarmService(s => s.Edge = EdgeRoute.Backend);
        if (withFleet)
        {
            builder.AddSpotFleet("fleet", async (fleet, model, ct) => new PublishSettings
            {
                PublicUrl = PublicUrl,
                Services = await SwarmServiceDescriber.DescribeAsync(fleet, model, PublicUrl, ct),
                Probes = new("mysql", "redis"),
            });
        }
    }

    /// <summary>Runs <c>--operation publish --step publish</c> in this process; returns the AppHost's exit code and the files written.</summary>
    private async Task<(int ExitCode, IReadOnlyCollection<string> Files)> PublishAsync(string name, bool withFleet)
    {
        var output = Path.Combine(_dir.Path, name);
        var builder = DistributedApplication.CreateBuilder(new DistributedApplicationOptions
        {
            Args = ["--operation", "publish", "--step", "publish", "--output-path", output],
            ProjectDirectory = _dir.Path,
            DisableDashboard = true,
        });
        Model(builder, withFleet);
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await using var app = builder.Build();
        await app.RunAsync(timeout.Token);
        return (BundlePublishingExtensions.ExitCode(app, builder.Configuration),
            Directory.Exists(output) ? PublishRun.ReadTree(output).Keys : []);
    }

    [Fact]
    public async Task A_model_without_the_spot_fleet_publishes_no_bundle()
    {
        var (withExit, withFleet) = await PublishAsync("with", withFleet: true);
        var (withoutExit, withoutFleet) = await PublishAsync("without", withFleet: false);

        Assert.Equal(0, withExit);
        Assert.Contains(StackFileGenerator.StackPath, withFleet);
        Assert.Contains(BundleComposer.ChecksumsPath, withFleet);
        // The same marked resources, no fleet: nothing of the bundle, and still a clean exit.
        Assert.Equal(0, withoutExit);
        Assert.DoesNotContain(StackFileGenerator.StackPath, withoutFleet);
        Assert.DoesNotContain(BundleComposer.ChecksumsPath, withoutFleet);
    }

    [Fact]
    public async Task A_resource_assigned_to_another_compute_environment_is_left_out_of_the_stack()
    {
        async Task<List<string>> ServicesAsync(bool toFleet) =>
        [
            .. (await PublishedModel.ServicesAsync(PublicUrl, extend: (builder, stack) =>
            {
                var other = builder.AddResource(new OtherEnvironment("cdn"));
                // With two environments in the model, each fleet service names its own.
                foreach (var resource in builder.Resources.OfType<ContainerResource>().Where(r => r.Annotations.OfType<SwarmServiceAnnotation>().Any()).ToList())
                {
                    builder.CreateResourceBuilder(resource).WithComputeEnvironment(stack.Fleet);
                }

                var assets = builder.AddContainer("assets", "busybox", "1").WithHttpEndpoint(targetPort: 8080).WithHealthPath("/")
                    .PublishAsSwarmService(s => s.Edge = EdgeRoute.Prefix);
                assets.WithComputeEnvironment(toFleet ? stack.Fleet : other);
            })).Select(s => s.Name),
        ];

        var elsewhere = await ServicesAsync(toFleet: false);
        var here = await ServicesAsync(toFleet: true);

        Assert.DoesNotContain("assets", elsewhere);
        Assert.Contains("backend", elsewhere);
        Assert.Contains("frontend", elsewhere);
        Assert.Contains("assets", here);
    }

    [Fact]
    public async Task A_fleet_service_that_names_no_environment_among_several_is_refused()
    {
        var e = await Assert.ThrowsAsync<InvalidOperationException>(() => PublishedModel.ServicesAsync(PublicUrl, extend: (builder, _) =>
            builder.AddResource(new OtherEnvironment("cdn"))));

        Assert.Contains("'cdn'", e.Message, StringComparison.Ordinal);
        Assert.Contains("WithComputeEnvironment", e.Message, StringComparison.Ordinal);
    }
}
