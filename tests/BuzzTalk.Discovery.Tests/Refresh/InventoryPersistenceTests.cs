using System.Net;
using System.Text.Json;
using BuzzTalk.Discovery.Tests.Fakes;
using BuzzTalk.Fleet.Inventory;

namespace BuzzTalk.Discovery.Tests.Refresh;

/// <summary>
/// The last good inventory survives a restart: saved under the state directory, served at start (marked stale)
/// until a refresh succeeds. In the process-wide group: the stale mark is read from the metrics endpoint.
/// </summary>
[Collection(ProcessWideGroup.Name)]
public sealed class InventoryPersistenceTests : FakeGcpTestBase
{
    private const string Project = "buzz-restart";
    private string StateDirectory => Path.Combine(Scratch, "state");

    [Fact]
    public async Task A_restart_during_an_outage_serves_the_saved_inventory_marked_stale_until_a_refresh_succeeds()
    {
        Gcp.SetInstances(Project,
        [
            new FakeInstance("buzz-a", "us-central1-a", "1001", "10.0.0.11", "127.0.0.11", Spot: true),
            new FakeInstance("buzz-b", "us-central1-b", "1002", "10.0.0.12", "127.0.0.12"),
        ]);
        await using (var first = await GcpDiscoveryHost.StartAsync(Gcp, Project, Scratch, ("Discovery:StateDirectory", StateDirectory)))
        {
            Assert.True(first.Store.Current.IsLoaded);
        }

        Gcp.FailAlways(503);
        var configuration = await GcpDiscoveryHost.ConfigurationAsync(Gcp, Project, Scratch,
            ("Discovery:StateDirectory", StateDirectory), ("Discovery:Gcp:MaxRetries", "0"));
        await using var second = await DiscoveryHost.StartAsync(configuration);
        await second.WaitForAsync(s => s.ConsecutiveFailures > 0);

        using (var response = await second.Http.GetAsync("/sd/targets"))
        {
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            var groups = JsonSerializer.Deserialize(await response.Content.ReadAsStringAsync(), TargetGroupJsonContext.Default.ListTargetGroup)!;
            Assert.Equal(["127.0.0.11", "127.0.0.12"], groups.SelectMany(g => g.Targets));
            Assert.Equal("spot", groups[0].Labels[InventoryLabels.ProvisioningModel]);
            Assert.Equal("10.0.0.12", groups[1].Labels[InventoryLabels.PrivateIp]);
        }

        var stale = await MetricsWhenAsync(second, m => m.Contains("buzztalk_discovery_stale", StringComparison.Ordinal));
        Assert.Matches(@"buzztalk_discovery_stale(\{[^}]*\})? 1\b", stale);
        Assert.Matches(@"buzztalk_discovery_last_success_seconds(\{[^}]*\})? [1-9]", stale);
        Assert.Empty(Directory.GetFiles(StateDirectory, "*.tmp"));

        Gcp.Recover();
        Assert.True(await second.Refresher.RefreshAsync(CancellationToken.None));
        await MetricsWhenAsync(second, m => System.Text.RegularExpressions.Regex.IsMatch(m, @"buzztalk_discovery_stale(\{[^}]*\})? 0\b"));
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
