using System.Text.Json;
using BuzzTalk.Discovery.Tests.Fakes;
using BuzzTalk.Fleet.Inventory;

namespace BuzzTalk.Discovery.Tests.Gcp;

/// <summary>What a hostile or flaky Compute API did to the GCP provider (issue 16), against the fake.</summary>
public sealed class ComputeClientHardeningTests : FakeGcpTestBase
{
    private const string Project = "buzz-hardening";
    private static FakeInstance Vm(string name, string zone, string natIp, string privateIp = "10.0.0.1") =>
        new(name, zone, "1" + Math.Abs(StringComparer.Ordinal.GetHashCode(zone + name)), privateIp, natIp);

    [Fact]
    public async Task A_revoked_token_is_discarded_on_401_and_a_new_one_fetched_once()
    {
        Gcp.SetInstances(Project, [Vm("a1", "us-central1-a", "127.0.0.11")]);
        await using var host = await GcpDiscoveryHost.StartAsync(Gcp, Project, Scratch);
        Assert.True(host.Store.Current.IsLoaded);
        Assert.Equal(1, Gcp.TokenRequests);

        Gcp.RevokeAccessTokens();

        Assert.True(await host.Refresher.RefreshAsync(CancellationToken.None));
        Assert.Equal(2, Gcp.TokenRequests);
        // The new token is kept for the calls after it.
        Assert.True(await host.Refresher.RefreshAsync(CancellationToken.None));
        Assert.Equal(2, Gcp.TokenRequests);
    }

    [Fact]
    public async Task A_401_with_a_fresh_token_fails_the_refresh_after_one_new_token()
    {
        Gcp.SetInstances(Project, [Vm("a1", "us-central1-a", "127.0.0.11")]);
        Gcp.FailAlways(401);

        await using var host = await GcpDiscoveryHost.StartAsync(Gcp, Project, Scratch);

        Assert.False(host.Store.Current.IsLoaded);
        Assert.Contains("401", host.Store.Current.LastError, StringComparison.Ordinal);
        Assert.Equal(2, Gcp.TokenRequests);
        Assert.Equal(2, Gcp.ComputeRequests);
    }

    [Fact]
    public async Task The_same_name_in_two_zones_is_two_instances()
    {
        Gcp.SetInstances(Project,
        [
            Vm("web", "us-central1-a", "127.0.0.11", "10.0.0.11"),
            Vm("web", "us-central1-b", "127.0.0.12", "10.0.0.12"),
            Vm("db", "us-central1-b", "127.0.0.13", "10.0.0.13"),
        ]);

        await using var host = await GcpDiscoveryHost.StartAsync(Gcp, Project, Scratch);

        Assert.True(host.Store.Current.IsLoaded, host.Store.Current.LastError);
        var groups = JsonSerializer.Deserialize(await host.Http.GetStringAsync("/sd/targets"), TargetGroupJsonContext.Default.ListTargetGroup)!;
        Assert.Equal(
            ["127.0.0.11 us-central1-a", "127.0.0.12 us-central1-b"],
            groups.Where(g => g.Labels[InventoryLabels.InstanceName] == "web")
                .Select(g => $"{g.Targets.Single()} {g.Labels[InventoryLabels.Zone]}").Order(StringComparer.Ordinal));
        Assert.Equal(3, groups.Count);
    }

    [Fact]
    public async Task List_calls_ask_for_gzip_and_the_bytes_on_the_wire_shrink()
    {
        Gcp.SetInstances(Project, Enumerable.Range(0, 600).Select(i => Vm($"vm-{i:D4}", "us-central1-a", $"127.0.{i / 250}.{i % 250 + 1}")));

        await using var host = await GcpDiscoveryHost.StartAsync(Gcp, Project, Scratch);

        Assert.Equal(600, host.Store.Current.Instances.Count);
        Assert.Equal(2, Gcp.ComputeRequests);
        Assert.Equal(Gcp.ComputeRequests, Gcp.ComputeGzipAnswers);
        Assert.True(Gcp.ComputeWireBytes * 10 < Gcp.ComputeBodyBytes,
            $"{Gcp.ComputeWireBytes} bytes on the wire for {Gcp.ComputeBodyBytes} bytes of JSON");
    }

    [Fact]
    public async Task An_unchanged_instance_is_kept_as_the_same_object_across_refreshes()
    {
        Gcp.SetInstances(Project, [Vm("a1", "us-central1-a", "127.0.0.11"), Vm("b1", "us-central1-b", "127.0.0.12")]);
        await using var host = await GcpDiscoveryHost.StartAsync(Gcp, Project, Scratch);
        var before = host.Store.Current.Instances;

        Gcp.SetInstances(Project, [Vm("a1", "us-central1-a", "127.0.0.11"), Vm("b1", "us-central1-b", "127.0.0.99")]);
        Assert.True(await host.Refresher.RefreshAsync(CancellationToken.None));

        var after = host.Store.Current.Instances;
        Assert.Same(before[0], after[0]); // nothing new for the GC's oldest generation to hold
        Assert.NotSame(before[1], after[1]);
        Assert.Equal("127.0.0.99", after[1].PublicIp);
    }
}
