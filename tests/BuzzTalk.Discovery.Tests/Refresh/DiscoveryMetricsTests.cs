using BuzzTalk.Discovery.Tests.Servers;
using BuzzTalk.Testing;

namespace BuzzTalk.Discovery.Tests.Refresh;

[Collection(ProcessWideGroup.Name)]
public sealed class DiscoveryMetricsTests
{
    [Fact]
    public async Task Metrics_expose_target_count_last_success_and_failures_on_the_scrape_endpoint()
    {
        using var dir = new ScratchDirectory();
        var file = Path.Combine(dir.Path, "instances.json");
        await File.WriteAllTextAsync(file, """[{"name":"a","publicIp":"127.0.0.11"},{"name":"b","publicIp":"127.0.0.12"}]""");
        await using var host = await DiscoveryHost.StartAsync(new Dictionary<string, string?>
        {
            ["Discovery:Provider"] = "File",
            ["Discovery:InstancesFile"] = file,
            ["Discovery:RefreshInterval"] = "01:00:00",
        });
        await host.WaitForAsync(s => s.IsLoaded);
        await File.WriteAllTextAsync(file, "not json");
        Assert.False(await host.Refresher.RefreshAsync(CancellationToken.None));

        // The exporter caches a scrape for a moment; poll until the failure shows.
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        string metrics;
        while (!(metrics = await host.Http.GetStringAsync("/metrics", cts.Token)).Contains("buzztalk_discovery_refresh_failures", StringComparison.Ordinal))
        {
            await Task.Delay(TimeSpan.FromMilliseconds(200), cts.Token);
        }

        Assert.Matches(@"buzztalk_discovery_targets(\{[^}]*\})? 2\b", metrics);
        Assert.Matches(@"buzztalk_discovery_last_success_seconds(\{[^}]*\})? [1-9]", metrics);
        Assert.Matches("buzztalk_discovery_refresh_failures_total\\{[^}]*provider=\"file\"[^}]*\\} 1", metrics);
    }
}
