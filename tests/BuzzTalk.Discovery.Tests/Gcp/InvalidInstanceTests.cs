using System.Text.Json;
using BuzzTalk.Discovery.Tests.Fakes;
using BuzzTalk.Fleet.Inventory;

namespace BuzzTalk.Discovery.Tests.Gcp;

/// <summary>
/// One instance with a bad address is left out and counted; the rest is published. In the process-wide group:
/// the counts are read from the metrics endpoint.
/// </summary>
[Collection(ProcessWideGroup.Name)]
public sealed class InvalidInstanceTests : FakeGcpTestBase
{
    private const string Project = "buzz-invalid";
    [Theory]
    [InlineData("127.1", "10.0.0.2", "public_ip")]
    [InlineData("0x23.1.2.3", "10.0.0.2", "public_ip")]
    [InlineData("034.1.2.3", "10.0.0.2", "public_ip")]
    [InlineData("34.1.2.256", "10.0.0.2", "public_ip")]
    [InlineData(" 34.1.2.3", "10.0.0.2", "public_ip")]
    [InlineData("fe80::1%eth0", "10.0.0.2", "public_ip")]
    [InlineData("2001:db8::1", "10.0.0.2", "public_ip")]
    [InlineData("[2001:db8::1]", "10.0.0.2", "public_ip")]
    [InlineData("not-an-ip", "10.0.0.2", "public_ip")]
    [InlineData("127.0.0.12", "10.1", "private_ip")]
    public async Task An_instance_with_a_malformed_address_is_dropped_and_counted_and_the_rest_published(string natIp, string privateIp, string reason)
    {
        Gcp.SetInstances(Project,
        [
            new FakeInstance("good", "us-central1-a", "1001", "10.0.0.1", "127.0.0.11"),
            new FakeInstance("bad", "us-central1-a", "1002", privateIp, natIp),
        ]);

        await using var host = await GcpDiscoveryHost.StartAsync(Gcp, Project, Scratch);

        Assert.True(host.Store.Current.IsLoaded, host.Store.Current.LastError);
        var groups = JsonSerializer.Deserialize(await host.Http.GetStringAsync("/sd/targets"), TargetGroupJsonContext.Default.ListTargetGroup)!;
        Assert.Equal(["127.0.0.11"], groups.SelectMany(g => g.Targets));
        var metrics = await MetricsWhenAsync(host, m => m.Contains("buzztalk_discovery_instances_dropped", StringComparison.Ordinal));
        Assert.Matches($"buzztalk_discovery_instances_dropped_total\\{{[^}}]*reason=\"invalid_{reason}\"[^}}]*\\}} 1\\b", metrics);
        Assert.Matches(@"buzztalk_discovery_instances_invalid(\{[^}]*\})? 1\b", metrics);
    }

    private static async Task<string> MetricsWhenAsync(DiscoveryHost host, Func<string, bool> condition)
    {
        // The exporter caches a scrape for a moment; poll until the figure shows.
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        string metrics;
        while (!condition(metrics = await host.Http.GetStringAsync("/metrics", cts.Token)))
        {
            await Task.Delay(TimeSpan.FromMilliseconds(100), cts.Token);
        }

        return metrics;
    }
}
