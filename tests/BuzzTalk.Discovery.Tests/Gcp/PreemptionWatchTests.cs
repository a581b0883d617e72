using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using BuzzTalk.Discovery.Refresh;
using BuzzTalk.Discovery.Tests.Fakes;
using BuzzTalk.Fleet.Inventory;
using Microsoft.Extensions.Logging;

namespace BuzzTalk.Discovery.Tests.Gcp;

/// <summary>
/// The preemption watch against the fake Compute API: a preempted spot instance leaves the inventory between refreshes
/// (the refresh interval is an hour, so only the watch can explain it) and stays out while Compute lists it RUNNING.
/// In the process-wide group: the preemption counters are read from the metrics endpoint.
/// </summary>
[Collection(ProcessWideGroup.Name)]
public sealed partial class PreemptionWatchTests : FakeGcpTestBase
{
    private const string Project = "buzz-preempt";
    private static readonly TimeSpan s_timeout = TimeSpan.FromSeconds(20);

    private static readonly FakeInstance s_webA = new("web-a", "us-central1-a", "4100000000000000001", "10.0.0.11", "127.0.0.11", Spot: true);
    private static readonly FakeInstance s_webB = new("web-b", "us-central1-b", "4100000000000000002", "10.0.0.12", "127.0.0.12", Spot: true);
    private static readonly FakeInstance s_db = new("db-1", "us-central1-a", "4100000000000000003", "10.0.0.13", "127.0.0.13");

    private string JsonPath => Path.Combine(Scratch, "sd", "gcp_instances.json");

    private string StatePath => Path.Combine(Scratch, "state", InventoryStateFile.FileName);

    [Fact]
    public async Task A_preempted_instance_leaves_the_inventory_at_once_and_stays_out_while_compute_lists_it_running()
    {
        Gcp.SetInstances(Project, [s_webA, s_webB, s_db]);
        var logs = new LogCapture();
        await using var host = await StartAsync(logs);
        Assert.Equal(["db-1", "web-a", "web-b"], Names(host.Store.Current));

        Gcp.Preempt(Project, s_webB);

        await host.WaitForAsync(s => !Names(s).Contains("web-b"), s_timeout);
        Assert.Equal(1, InstanceListCalls()); // the refresh at start only: the watch took it out
        Assert.Equal(["db-1", "web-a"], await HttpSdNamesAsync(host));
        Assert.Equal(["db-1", "web-a"], await FileNamesAsync(JsonPath));
        Assert.Equal(["db-1", "web-a"], SavedNames());
        Assert.Equal(0, host.Store.Current.ConsecutiveFailures);
        Assert.Equal(
            $"GET /compute/v1/projects/{Project}/aggregated/operations?filter=operationType%3D%22compute.instances.preempted%22&maxResults=500&returnPartialSuccess=true",
            Gcp.ComputeRequestLog.First(r => r.Contains("/aggregated/operations", StringComparison.Ordinal)));

        // Compute still lists it RUNNING (its 30 s notice): a refresh leaves it out.
        Assert.True(await host.Refresher.RefreshAsync(CancellationToken.None));
        Assert.Equal(["db-1", "web-a"], Names(host.Store.Current));
        Assert.Equal(["db-1", "web-a"], await HttpSdNamesAsync(host));
        Assert.Equal(["db-1", "web-a"], await FileNamesAsync(JsonPath));

        var metrics = await MetricsAsync(host, m => PreemptedDrops().IsMatch(m) && m.Contains("buzztalk_discovery_preemptions_total", StringComparison.Ordinal));
        Assert.Matches(PreemptedDrops(), metrics);
        Assert.Matches(@"buzztalk_discovery_preemptions_total(\{[^}]*\})? 1\b", metrics);

        var preempted = Assert.Single(logs.Entries, e => e.Message.Contains("preempted", StringComparison.Ordinal) && e.Level >= LogLevel.Information);
        Assert.Contains("web-b", preempted.Message, StringComparison.Ordinal);
        Assert.Contains("us-central1-b", preempted.Message, StringComparison.Ordinal);
        Assert.Contains(s_webB.Id, preempted.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(logs.Entries, e => e.Message.Contains("ya29", StringComparison.Ordinal) || e.Message.Contains("Bearer", StringComparison.Ordinal));
    }

    [Fact]
    public async Task The_same_name_recreated_with_a_new_id_is_served_after_the_next_refresh()
    {
        Gcp.SetInstances(Project, [s_webA, s_webB, s_db]);
        await using var host = await StartAsync(null);
        Gcp.Preempt(Project, s_webB);
        await host.WaitForAsync(s => !Names(s).Contains("web-b"), s_timeout);

        // The managed group recreates it: same name and zone, a new id.
        var recreated = s_webB with { Id = "4100000000000000099", NatIp = "127.0.0.14" };
        Gcp.SetInstances(Project, [s_webA, recreated, s_db]);
        Assert.True(await host.Refresher.RefreshAsync(CancellationToken.None));

        Assert.Equal(["db-1", "web-a", "web-b"], Names(host.Store.Current));
        Assert.Equal(recreated.Id, host.Store.Current.Instances.Single(i => i.Name == "web-b").Id);
        Assert.Contains("web-b", await HttpSdNamesAsync(host));

        // The old preemption names the old id: later polls leave the new instance alone.
        await WaitForPollsAsync(3);
        Assert.Equal(recreated.Id, host.Store.Current.Instances.Single(i => i.Name == "web-b").Id);
    }

    [Fact]
    public async Task A_stopped_spot_vm_started_again_under_its_id_is_served_again()
    {
        Gcp.SetInstances(Project, [s_webA, s_webB]);
        await using var host = await StartAsync(null);
        Gcp.Preempt(Project, s_webB);
        await host.WaitForAsync(s => !Names(s).Contains("web-b"), s_timeout);

        // Stopped: a refresh no longer lists it, and its id is forgotten ...
        Gcp.SetInstances(Project, [s_webA, s_webB with { Status = "TERMINATED" }]);
        Assert.True(await host.Refresher.RefreshAsync(CancellationToken.None));
        // ... so once started again (instanceTerminationAction STOP keeps the id) it is served, and stays.
        Gcp.SetInstances(Project, [s_webA, s_webB]);
        Assert.True(await host.Refresher.RefreshAsync(CancellationToken.None));
        await WaitForPollsAsync(3);

        Assert.Equal(["web-a", "web-b"], Names(host.Store.Current));
    }

    [Fact]
    public async Task A_failing_garbled_or_slow_operations_call_changes_nothing_and_the_watch_recovers()
    {
        Gcp.SetInstances(Project, [s_webA, s_webB, s_db]);
        await using var host = await StartAsync(null, ("Discovery:Gcp:CallTimeout", "00:00:02"));
        var before = host.Store.Current;
        // Each fault is set before the last one ends, so no poll meets a good answer until the end.
        Gcp.FailAlways(500);
        Gcp.Preempt(Project, s_webB);
        await WaitForPollsAsync(2);
        Assert.Same(before, host.Store.Current);

        Gcp.MalformedAnswers = true;
        Gcp.Recover();
        await WaitForPollsAsync(2);
        Assert.Same(before, host.Store.Current);

        Gcp.ComputeDelay = TimeSpan.FromSeconds(30); // past the 2 s call timeout
        await WaitForPollsAsync(1); // the poll that may have read no delay has ended
        Gcp.MalformedAnswers = false;
        await WaitForPollsAsync(2);
        Assert.Same(before, host.Store.Current);
        Assert.Equal(["db-1", "web-a", "web-b"], await HttpSdNamesAsync(host));
        Assert.Equal(["db-1", "web-a", "web-b"], await FileNamesAsync(JsonPath));

        var metrics = await MetricsAsync(host, m => PollFailures().Match(m) is { Success: true } match && int.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture) >= 5);
        Assert.Matches(PollFailures(), metrics);

        Gcp.ComputeDelay = TimeSpan.Zero;
        var after = await host.WaitForAsync(s => !Names(s).Contains("web-b"), s_timeout);
        Assert.Equal(["db-1", "web-a"], Names(after));
        Assert.Equal(0, after.ConsecutiveFailures); // a failed poll is not a failed refresh
        Assert.Equal(1, InstanceListCalls());
    }

    [Fact]
    public async Task Pages_and_zones_with_only_a_warning_are_read_and_a_malformed_operation_skips_only_itself()
    {
        var c1 = new FakeInstance("c1", "us-central1-c", "4100000000000000004", "10.0.0.14", "127.0.0.14", Spot: true);
        Gcp.SetInstances(Project, [s_webA, s_webB, s_db, c1]);
        Gcp.AddEmptyZone(Project, "asia-east1-a");
        await using var host = await StartAsync(null, ("Discovery:Gcp:PageSize", "2"));

        var now = DateTimeOffset.UtcNow;
        // Malformed: a targetId that is no number, none at all, no insertTime. Each names a served instance.
        Gcp.AddOperation(Project, new FakeOperation("us-central1-b", "systemevent-bad-1", "web-b", "not-a-number", now));
        Gcp.AddOperation(Project, new FakeOperation("us-central1-b", "systemevent-bad-2", "web-b", null, now));
        Gcp.AddOperation(Project, new FakeOperation("us-central1-a", "systemevent-bad-3", "db-1", s_db.Id, null));
        // Hours old: about a VM long stopped (or started again since), not one to take out now.
        Gcp.AddOperation(Project, new FakeOperation("us-central1-a", "systemevent-old", "db-1", s_db.Id, now.AddHours(-2)));
        Gcp.Preempt(Project, s_webA);
        Gcp.Preempt(Project, c1);

        await host.WaitForAsync(s => !Names(s).Contains("web-a") && !Names(s).Contains("c1"), s_timeout);
        await WaitForPollsAsync(6); // two more whole polls of three pages

        Assert.Equal(["db-1", "web-b"], Names(host.Store.Current));
        var operationCalls = Gcp.ComputeRequestLog.Where(r => r.Contains("/aggregated/operations", StringComparison.Ordinal)).ToList();
        Assert.Contains(operationCalls, r => r.Contains("&pageToken=", StringComparison.Ordinal));
        Assert.All(operationCalls, r => Assert.Contains("maxResults=2&", r, StringComparison.Ordinal));
        Assert.Equal(0, host.Store.Current.ConsecutiveFailures);
    }

    /// <summary>Discovery polling preemptions every 200 ms, refreshing once at start (then as the test says), file_sd and state written.</summary>
    private async Task<DiscoveryHost> StartAsync(LogCapture? logs, params (string Key, string? Value)[] overrides)
    {
        var configuration = await GcpDiscoveryHost.ConfigurationAsync(Gcp, Project, Scratch,
        [
            ("Discovery:Gcp:PreemptionPollInterval", "00:00:00.200"),
            ("Discovery:Gcp:MaxRetries", "0"),
            ("Discovery:FileSd:JsonPath", JsonPath),
            ("Discovery:StateDirectory", Path.GetDirectoryName(StatePath)),
            ("Logging:LogLevel:BuzzTalk", "Information"),
            .. overrides,
        ]);
        var host = await DiscoveryHost.StartAsync(configuration, logs: logs);
        try
        {
            await host.WaitForAsync(s => s.IsLoaded, s_timeout);
            return host;
        }
        catch
        {
            await host.DisposeAsync();
            throw;
        }
    }

    private static List<string> Names(InventorySnapshot snapshot) => [.. snapshot.Instances.Select(i => i.Name)];

    private int InstanceListCalls() => Gcp.ComputeRequestLog.Count(r => r.Contains("/aggregated/instances", StringComparison.Ordinal));

    /// <summary>Waits until the watch has called the operations list <paramref name="count"/> more times.</summary>
    private async Task WaitForPollsAsync(int count)
    {
        var target = Gcp.OperationsRequests + count;
        using var cts = new CancellationTokenSource(s_timeout);
        while (Gcp.OperationsRequests < target)
        {
            await Task.Delay(TimeSpan.FromMilliseconds(20), cts.Token);
        }
    }

    private static async Task<List<string>> HttpSdNamesAsync(DiscoveryHost host) =>
        GroupNames(await host.Http.GetStringAsync(new Uri("/sd/targets", UriKind.Relative)));

    private static async Task<List<string>> FileNamesAsync(string path) => GroupNames(await File.ReadAllTextAsync(path));

    private List<string> SavedNames()
    {
        using var saved = JsonDocument.Parse(File.ReadAllText(StatePath));
        return [.. saved.RootElement.GetProperty("instances").EnumerateArray().Select(i => i.GetProperty("name").GetString()!)];
    }

    private static List<string> GroupNames(string json) =>
        [.. JsonSerializer.Deserialize(json, TargetGroupJsonContext.Default.ListTargetGroup)!.Select(g => g.Labels[InventoryLabels.InstanceName])];

    /// <summary>The scrape once it satisfies <paramref name="condition"/> (the exporter caches a scrape for a moment).</summary>
    private static async Task<string> MetricsAsync(DiscoveryHost host, Func<string, bool> condition)
    {
        using var cts = new CancellationTokenSource(s_timeout);
        string metrics;
        while (!condition(metrics = await host.Http.GetStringAsync(new Uri("/metrics", UriKind.Relative), cts.Token)))
        {
            await Task.Delay(TimeSpan.FromMilliseconds(200), cts.Token);
        }

        return metrics;
    }

    [GeneratedRegex("""buzztalk_discovery_instances_dropped_total\{[^}]*reason="preempted"[^}]*\} 1\b""")]
    private static partial Regex PreemptedDrops();

    [GeneratedRegex(@"buzztalk_discovery_preemption_poll_failures_total(?:\{[^}]*\})? (\d+)")]
    private static partial Regex PollFailures();
}
