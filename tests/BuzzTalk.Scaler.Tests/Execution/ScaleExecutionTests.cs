using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using BuzzTalk.Fleet.Leases;
using BuzzTalk.Fleet.Swarm;
using BuzzTalk.Scaler.Tests.Webhooks;
using BuzzTalk.Testing;

namespace BuzzTalk.Scaler.Tests.Execution;

/// <summary>
/// Webhook to <c>docker service scale</c> on the real local swarm, reached over real SSH on
/// loopback with a pinned host key, with the real deploy lease.
/// </summary>
[Collection(MetricsExportGroup.Name)]
public sealed class ScaleExecutionTests : IAsyncLifetime
{
    private const string User = WebhookScaler.User;
    private const string Password = "scaler-test-password";
    private WebhookScaler? _world;

    private LocalSwarmService Host => _world!.Host;

    private HttpClient Http => _world!.Http;

    public async Task InitializeAsync() =>
        _world = await WebhookScaler.StartAsync("bt-scale-", Password,
            (configuration, host) => configuration["Scaler:AuditFile"] = Path.Combine(host.Directory, "decisions.jsonl"));

    public async Task DisposeAsync()
    {
        if (_world is not null)
        {
            await _world.DisposeAsync();
        }
    }

    private byte[] SeedAlert(int target, int active, string host = "127.0.0.1", string? service = null) =>
        GrafanaAlerts.SeedAlert(service ?? Host.Name, target, active, host);

    private Task<HttpResponseMessage> PostAsync(byte[] body, string user = User, string password = Password, string contentType = "application/json") =>
        _world!.Alerts.PostAsync(body, user, password, contentType);

    private static Task<List<JsonNode>> OutcomesAsync(HttpResponseMessage response) => GrafanaAlerts.OutcomesAsync(response);

    private Task<int> DesiredAsync() => Host.DesiredAsync();

    [Fact]
    public async Task A_seed_alert_scales_the_real_service_up_and_another_scales_it_back()
    {
        var up = Assert.Single(await OutcomesAsync(await PostAsync(SeedAlert(target: 2, active: 1))));
        Assert.Equal("scaled", up["result"]!.GetValue<string>());
        Assert.Equal(2, await DesiredAsync());
        // Answered once issued (issue 16): the new replica may still be starting.
        Assert.Equal(2, await Host.WaitForRunningAsync(2));

        var down = Assert.Single(await OutcomesAsync(await PostAsync(SeedAlert(target: 1, active: 2))));
        Assert.Equal("scaled", down["result"]!.GetValue<string>());
        Assert.Equal(1, await DesiredAsync());

        var decisions = await Http.GetFromJsonAsync<JsonArray>("/api/decisions");
        Assert.Equal(2, decisions!.Count(d => d!["result"]!.GetValue<string>() == "scaled"));
        Assert.Equal(2, File.ReadAllLines(Path.Combine(Host.Directory, "decisions.jsonl")).Length);
    }

    [Fact]
    public async Task Fifty_concurrent_duplicate_alerts_scale_exactly_once()
    {
        var body = SeedAlert(target: 2, active: 1);

        var responses = await Task.WhenAll(Enumerable.Range(0, 50).Select(_ => PostAsync(body)));
        var results = new List<string>();
        foreach (var response in responses)
        {
            results.AddRange((await OutcomesAsync(response)).Select(o => o["result"]!.GetValue<string>()));
        }

        Assert.Equal(1, results.Count(r => r == "scaled"));
        Assert.Equal(49, results.Count(r => r == "unchanged"));
        Assert.Equal(2, await DesiredAsync());
    }

    [Fact]
    public async Task While_a_deploy_holds_the_lease_the_alert_is_deferred_and_nothing_changes()
    {
        var lease = await new DeployLease(Host.Session, Host.LeaseDirectory).AcquireAsync("deployer-test", "deploy backend v2", TimeSpan.FromMinutes(5));

        var outcome = Assert.Single(await OutcomesAsync(await PostAsync(SeedAlert(target: 2, active: 1))));

        Assert.Equal("deferred", outcome["result"]!.GetValue<string>());
        Assert.Contains("deployer-test", outcome["reason"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Equal(1, await DesiredAsync());
        Assert.True(await new DeployLease(Host.Session, Host.LeaseDirectory).ReleaseAsync(lease));
    }

    [Theory]
    [InlineData("127.0.0.9", null, "not in the inventory")]
    [InlineData("127.0.0.1", "frontend-unlisted", "not configured as scalable")]
    public async Task Hosts_outside_the_inventory_and_unlisted_services_are_refused(string host, string? service, string reason)
    {
        var outcome = Assert.Single(await OutcomesAsync(await PostAsync(SeedAlert(2, 1, host, service))));

        Assert.Equal("refused", outcome["result"]!.GetValue<string>());
        Assert.Contains(reason, outcome["reason"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Equal(1, await DesiredAsync());
    }

    [Fact]
    public async Task The_service_maximum_caps_an_alerts_own_count()
    {
        var outcome = Assert.Single(await OutcomesAsync(await PostAsync(SeedAlert(target: 9, active: 1))));

        Assert.Equal(3, outcome["to"]!.GetValue<int>());
        Assert.Equal(3, await DesiredAsync());
    }

    [Fact]
    public async Task Bad_requests_get_4xx_and_change_nothing()
    {
        Assert.Equal(HttpStatusCode.Unauthorized, (await PostAsync(SeedAlert(2, 1), password: "wrong")).StatusCode);
        Assert.Equal(HttpStatusCode.UnsupportedMediaType, (await PostAsync(SeedAlert(2, 1), contentType: "text/plain")).StatusCode);
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, (await PostAsync(new byte[300 * 1024])).StatusCode);
        var malformed = await PostAsync("{\"version\":\"1\",\"status\":\"firing\",\"alerts\":[{\"status\":\"firing\"}]}"u8.ToArray());
        Assert.Equal(HttpStatusCode.BadRequest, malformed.StatusCode);
        Assert.Contains("no labels", (await malformed.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("detail").GetString(), StringComparison.Ordinal);

        Assert.Equal(1, await DesiredAsync());
        Assert.Empty((await Http.GetFromJsonAsync<JsonArray>("/api/decisions"))!);

        // Every answer is counted by source and status on the scrape endpoint.
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        string metrics;
        while (!(metrics = await Http.GetStringAsync("/metrics", cts.Token)).Contains("status=\"415\"", StringComparison.Ordinal))
        {
            await Task.Delay(TimeSpan.FromMilliseconds(200), cts.Token);
        }

        foreach (var status in new[] { "400", "401", "413", "415" })
        {
            Assert.Matches($"buzztalk_scaler_webhooks_total\\{{[^}}]*status=\"{status}\"[^}}]*\\}} 1", metrics);
        }
    }
}
