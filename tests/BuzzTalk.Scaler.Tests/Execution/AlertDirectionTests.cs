using System.Text.Json.Nodes;
using BuzzTalk.Scaler.Tests.Webhooks;

namespace BuzzTalk.Scaler.Tests.Execution;

/// <summary>
/// On the real swarm: an alert's direction is checked against its counts and against the count
/// running now, and one invalid alert in a body does not drop the valid ones beside it.
/// </summary>
public sealed class AlertDirectionTests : IAsyncLifetime
{
    private WebhookScaler? _world;

    private WebhookScaler World => _world!;

    public async Task InitializeAsync() => _world = await WebhookScaler.StartAsync("bt-dir-", "scaler-direction-password");

    public async Task DisposeAsync()
    {
        if (_world is not null)
        {
            await _world.DisposeAsync();
        }
    }

    [Fact]
    public async Task A_scale_up_alert_that_asks_for_fewer_replicas_than_run_does_not_scale_down()
    {
        // Someone (an earlier alert here) set 3; the rule's alert was computed when 1 ran.
        Assert.Equal("scaled", Assert.Single(await OutcomesAsync(GrafanaAlerts.SeedAlert(World.Host.Name, target: 3, active: 1)))["result"]!.GetValue<string>());

        var stale = Assert.Single(await OutcomesAsync(GrafanaAlerts.SeedAlert(World.Host.Name, target: 2, active: 1)));

        Assert.Equal("unchanged", stale["result"]!.GetValue<string>());
        Assert.Contains("not scaling down", stale["reason"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Equal(3, await World.Host.DesiredAsync());

        // Likewise a `down` alert never raises the count.
        Assert.Equal("scaled", Assert.Single(await OutcomesAsync(GrafanaAlerts.SeedAlert(World.Host.Name, target: 1, active: 3)))["result"]!.GetValue<string>());
        var staleDown = Assert.Single(await OutcomesAsync(GrafanaAlerts.SeedAlert(World.Host.Name, target: 2, active: 3)));
        Assert.Equal("unchanged", staleDown["result"]!.GetValue<string>());
        Assert.Equal(1, await World.Host.DesiredAsync());
    }

    [Fact]
    public async Task A_direction_label_that_contradicts_the_counts_is_reported_and_changes_nothing()
    {
        var root = JsonNode.Parse(GrafanaAlerts.SeedAlert(World.Host.Name, target: 2, active: 1))!;
        root["alerts"]![0]!["labels"]!["scaling"] = "down";

        using var response = await World.Alerts.PostAsync(Payloads.Bytes(root));
        var answer = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;

        Assert.Empty(answer["outcomes"]!.AsArray());
        Assert.Contains("label scaling is down but the counts go from 1 to 2", answer["invalid"]![0]!["reason"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Equal(1, await World.Host.DesiredAsync());
    }

    [Fact]
    public async Task An_alert_without_a_host_label_is_reported_and_the_valid_alerts_beside_it_scale()
    {
        var root = JsonNode.Parse(GrafanaAlerts.SeedAlert(World.Host.Name, target: 2, active: 1))!;
        var alerts = root["alerts"]!.AsArray();
        var noHost = alerts[0]!.DeepClone();
        noHost["labels"]!.AsObject().Remove("public_ip");
        alerts.Insert(0, noHost);
        var badCount = alerts[1]!.DeepClone();
        badCount["values"]!["app_new_containers_number"] = 2.5;
        alerts.Add(badCount);

        using var response = await World.Alerts.PostAsync(Payloads.Bytes(root));
        var answer = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;

        Assert.Equal(200, (int)response.StatusCode);
        Assert.Equal("scaled", Assert.Single(answer["outcomes"]!.AsArray())!["result"]!.GetValue<string>());
        var invalid = answer["invalid"]!.AsArray();
        Assert.Equal([0, 3], invalid.Select(i => i!["index"]!.GetValue<int>()));
        Assert.Contains("lacks label public_ip", invalid[0]!["reason"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Contains("must be a whole number", invalid[1]!["reason"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Equal(2, await World.Host.DesiredAsync());
    }

    private async Task<List<JsonNode>> OutcomesAsync(byte[] body) => await GrafanaAlerts.OutcomesAsync(await World.Alerts.PostAsync(body));
}
