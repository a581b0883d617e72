using Aspire.Hosting;
using BuzzTalk.AppHost.Publish;
using BuzzTalk.Publishing.SpotFleet;

namespace BuzzTalk.AppHost.Tests.Publishing.SpotFleet;

/// <summary>What the spot fleet's publisher refuses to publish rather than drop.</summary>
public sealed class SwarmServiceDescriberTests
{
    private const string PublicUrl = "http://203.0.113.10";

    [Fact]
    public async Task A_fleet_service_with_an_aspire_health_check_but_no_health_path_is_refused()
    {
        var e = await Assert.ThrowsAsync<InvalidOperationException>(() => PublishedModel.ServicesAsync(PublicUrl, extend: (builder, _) =>
            builder.AddContainer("probed", "busybox", "1")
                .WithHttpEndpoint(name: "http", targetPort: 8080)
                .WithHttpHealthCheck("/ready", endpointName: "http")
                .PublishAsSwarmService()));

        Assert.Contains("'probed'", e.Message, StringComparison.Ordinal);
        Assert.Contains("WithHealthPath", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_same_service_with_a_health_path_is_published_with_it()
    {
        var services = await PublishedModel.ServicesAsync(PublicUrl, extend: (builder, _) =>
            builder.AddContainer("probed", "busybox", "1")
                .WithHttpEndpoint(name: "http", targetPort: 8080)
                .WithHealthPath("/ready")
                .PublishAsSwarmService());

        Assert.Equal("/ready", services.Single(s => s.Name == "probed").HealthPath);
    }
}
