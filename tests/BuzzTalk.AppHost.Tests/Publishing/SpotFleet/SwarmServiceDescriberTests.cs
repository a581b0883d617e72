using System.Net.Sockets;
using Aspire.Hosting;
using BuzzTalk.AppHost.Publish;
using BuzzTalk.Publishing;
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

    [Fact]
    public async Task An_external_http_endpoint_gets_its_own_route_through_the_edge_unless_the_hook_says_otherwise()
    {
        var services = await PublishedModel.ServicesAsync(PublicUrl, extend: (builder, _) =>
        {
            builder.AddContainer("open", "busybox", "1").WithHttpEndpoint(name: "http", targetPort: 8080).WithExternalHttpEndpoints().PublishAsSwarmService();
            builder.AddContainer("closed", "busybox", "1").WithHttpEndpoint(name: "http", targetPort: 8080).PublishAsSwarmService();
            builder.AddContainer("hidden", "busybox", "1").WithHttpEndpoint(name: "http", targetPort: 8080).WithExternalHttpEndpoints()
                .PublishAsSwarmService(s => s.Edge = EdgeRoute.None);
        });

        Assert.Equal((EdgeRoute.Prefix, "/open/"), (services.Single(s => s.Name == "open").Edge, services.Single(s => s.Name == "open").EdgePath));
        Assert.Equal(EdgeRoute.None, services.Single(s => s.Name == "closed").Edge);
        Assert.Equal(EdgeRoute.None, services.Single(s => s.Name == "hidden").Edge);
        Assert.All(services, s => Assert.Empty(s.PublishedPorts));
    }

    [Fact]
    public async Task An_external_tcp_endpoint_is_a_host_port_and_one_without_a_port_or_with_replicas_is_refused()
    {
        var services = await PublishedModel.ServicesAsync(PublicUrl, extend: (builder, _) =>
            builder.AddContainer("relay", "busybox", "1")
                .WithEndpoint(name: "turn", port: 3478, targetPort: 3478, scheme: "udp", isExternal: true, protocol: ProtocolType.Udp)
                .WithEndpoint(name: "admin", port: 7000, targetPort: 7001, scheme: "tcp", isExternal: true)
                .PublishAsSwarmService());
        var relay = services.Single(s => s.Name == "relay");
        Assert.Equal([new PublishedPort(3478, 3478, "udp"), new PublishedPort(7001, 7000, "tcp")], relay.PublishedPorts.OrderBy(p => p.Published));
        Assert.Equal(EdgeRoute.None, relay.Edge);

        var noPort = await Assert.ThrowsAsync<InvalidOperationException>(() => PublishedModel.ServicesAsync(PublicUrl, extend: (builder, _) =>
            builder.AddContainer("relay", "busybox", "1").WithEndpoint(name: "admin", targetPort: 7001, scheme: "tcp", isExternal: true).PublishAsSwarmService()));
        Assert.Contains("'admin' needs a port", noPort.Message, StringComparison.Ordinal);

        var replicas = await Assert.ThrowsAsync<InvalidOperationException>(() => PublishedModel.ServicesAsync(PublicUrl, extend: (builder, _) =>
            builder.AddContainer("relay", "busybox", "1").WithEndpoint(name: "admin", port: 7000, targetPort: 7001, scheme: "tcp", isExternal: true)
                .WithSwarmReplicas(2)));
        Assert.Contains("cannot run 2 replicas", replicas.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(80, "the edge")]
    [InlineData(9100, "node-exporter")]
    [InlineData(22, "SSH")]
    [InlineData(7000, "relay")]
    public async Task A_host_port_someone_else_holds_is_refused_when_the_stack_is_written(int port, string owner)
    {
        var services = await PublishedModel.ServicesAsync(PublicUrl, extend: (builder, _) =>
        {
            builder.AddContainer("relay", "busybox", "1").WithEndpoint(name: "admin", port: port, targetPort: 7001, scheme: "tcp", isExternal: true).PublishAsSwarmService();
            builder.AddContainer("other", "busybox", "1").WithEndpoint(name: "admin", port: 7000, targetPort: 7001, scheme: "tcp", isExternal: true).PublishAsSwarmService();
        });
        var settings = PublishedModel.Settings(PublicUrl) with { Services = services };

        var e = Assert.Throws<InvalidOperationException>(() => BundleComposer.Compose(settings));
        Assert.Contains($"host port {port}: {owner} has it", e.Message, StringComparison.Ordinal);
    }
}
