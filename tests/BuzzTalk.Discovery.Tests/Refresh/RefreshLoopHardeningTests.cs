using System.Diagnostics;
using System.Net;
using BuzzTalk.Discovery.Tests.Fakes;

namespace BuzzTalk.Discovery.Tests.Refresh;

/// <summary>The refresh loop against a hanging or failing Compute API (issue 16): its deadline and readiness.</summary>
public sealed class RefreshLoopHardeningTests : FakeGcpTestBase
{
    private const string Project = "buzz-refresh-loop";
    private static FakeInstance Vm(string name, string zone, string natIp) => new(name, zone, "1001", "10.0.0.1", natIp);

    [Fact]
    public async Task A_hanging_api_is_cut_off_by_the_refresh_deadline()
    {
        Gcp.SetInstances(Project, [Vm("a1", "us-central1-a", "127.0.0.11")]);
        // Every Compute call hangs; each attempt would wait out its 10 s timeout, 4 attempts.
        Gcp.ComputeDelay = TimeSpan.FromSeconds(30);
        await using var host = await GcpDiscoveryHost.StartAsync(Gcp, Project, Scratch,
            ("Discovery:RefreshTimeout", "00:00:02"), ("Discovery:Gcp:CallTimeout", "00:00:10"), ("Discovery:Gcp:MaxRetries", "3"));

        var watch = Stopwatch.StartNew();
        Assert.False(await host.Refresher.RefreshAsync(CancellationToken.None));
        watch.Stop();

        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(8), $"the refresh took {watch.Elapsed}");
        Assert.Contains("deadline", host.Store.Current.LastError, StringComparison.OrdinalIgnoreCase);
        Assert.Equal(2, host.Store.Current.ConsecutiveFailures);
    }

    [Fact]
    public async Task Health_is_not_ready_before_the_first_refresh_while_alive_is_fine()
    {
        Gcp.SetInstances(Project, [Vm("a1", "us-central1-a", "127.0.0.11")]);
        Gcp.FailAlways(503);
        await using var host = await GcpDiscoveryHost.StartAsync(Gcp, Project, Scratch, ("Discovery:Gcp:MaxRetries", "0"));
        Assert.Equal(1, host.Store.Current.ConsecutiveFailures);

        using (var health = await host.Http.GetAsync("/health"))
        {
            Assert.Equal(HttpStatusCode.ServiceUnavailable, health.StatusCode);
        }

        using (var alive = await host.Http.GetAsync("/alive"))
        {
            Assert.Equal(HttpStatusCode.OK, alive.StatusCode);
        }

        Gcp.Recover();
        Assert.True(await host.Refresher.RefreshAsync(CancellationToken.None));
        using var ready = await host.Http.GetAsync("/health");
        Assert.Equal(HttpStatusCode.OK, ready.StatusCode);
    }
}
