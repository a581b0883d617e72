using System.Text;
using System.Text.Json.Nodes;
using BuzzTalk.Scaler.Webhooks;

namespace BuzzTalk.Scaler.Tests.Webhooks;

public sealed class WebhookParserTests
{
    private static readonly WebhookOptions s_options = new();

    [Fact]
    public void An_alertmanager_payload_yields_a_request_per_firing_alert_and_ignores_resolved_ones()
    {
        var parsed = WebhookParser.Parse(AlertSource.Alertmanager, Payloads.Bytes(Payloads.WithTargets(Payloads.AlertmanagerWire)), s_options);

        var request = Assert.Single(parsed.Requests);
        Assert.Equal("34.123.45.67", request.Host);
        Assert.Equal("backend", request.Service);
        Assert.Null(request.TargetReplicas);
        Assert.Equal("HighRequestLatency", request.AlertName);
        Assert.Equal("resolved", Assert.Single(parsed.Ignored).Reason);
    }

    [Fact]
    public void Older_alertmanager_payloads_without_the_newer_fields_are_read_too()
    {
        var parsed = WebhookParser.Parse(AlertSource.Alertmanager, Payloads.Bytes(Payloads.WithTargets(Payloads.AlertmanagerPre032Wire)), s_options);

        Assert.Single(parsed.Requests);
    }

    [Fact]
    public void Every_alert_of_a_payload_is_processed_not_just_the_first()
    {
        var root = Payloads.WithTargets(Payloads.AlertmanagerWire);
        var alerts = root["alerts"]!.AsArray();
        alerts[1]!["status"] = "firing";
        var third = alerts[0]!.DeepClone();
        third["labels"]!["container_label_com_docker_swarm_service_name"] = "frontend";
        alerts.Add(third);

        var parsed = WebhookParser.Parse(AlertSource.Alertmanager, Payloads.Bytes(root), s_options);

        Assert.Equal(["backend", "backend", "frontend"], parsed.Requests.Select(r => r.Service));
    }

    [Fact]
    public void The_seed_rule_alert_carries_its_own_target_count()
    {
        var parsed = WebhookParser.Parse(AlertSource.Grafana, Payloads.Bytes(Payloads.SeedRule(target: 2, active: 1, trigger: 1, scaling: "up")), s_options);

        var request = Assert.Single(parsed.Requests);
        Assert.Equal(2, request.TargetReplicas);
        Assert.Equal(1, request.ActiveReplicas);
        Assert.Equal("up", request.SeedScaling);
    }

    [Theory]
    [InlineData(2, 1, 0, "up")]           // trigger off
    [InlineData(2, 2, 1, "up")]           // new = active
    [InlineData(3, 2, 1, "not_possible")] // the rule found no room
    public void Seed_rule_alerts_that_ask_for_no_change_change_nothing(int target, int active, int trigger, string scaling)
    {
        var parsed = WebhookParser.Parse(AlertSource.Grafana, Payloads.Bytes(Payloads.SeedRule(target, active, trigger, scaling)), s_options);

        Assert.Empty(parsed.Requests);
        Assert.Contains(parsed.Ignored, i => i.Reason.StartsWith("seed rule says no change", StringComparison.Ordinal));
    }

    [Fact]
    public void Host_and_service_labels_are_configurable()
    {
        var root = JsonNode.Parse(Payloads.AlertmanagerWire)!;
        foreach (var alert in root["alerts"]!.AsArray())
        {
            alert!["labels"]!["node_ip"] = "10.0.0.7";
            alert["labels"]!["svc"] = "api";
        }

        var parsed = WebhookParser.Parse(AlertSource.Alertmanager, Payloads.Bytes(root), new WebhookOptions { HostLabel = "node_ip", ServiceLabel = "svc" });

        Assert.Equal(("10.0.0.7", "api"), (parsed.Requests[0].Host, parsed.Requests[0].Service));
    }

    [Theory]
    [InlineData("{", "malformed JSON")]
    [InlineData("null", "null")]
    [InlineData("[]", "malformed JSON")]
    [InlineData("{\"version\":\"4\",\"status\":\"firing\",\"alerts\":[]}", "no alerts")]
    [InlineData("{\"version\":\"3\",\"status\":\"firing\",\"alerts\":[{}]}", "version")]
    [InlineData("{\"version\":\"4\",\"status\":\"burning\",\"alerts\":[{}]}", "status")]
    [InlineData("{\"version\":\"4\",\"status\":\"firing\",\"alerts\":[null]}", "alert 0 is null")]
    [InlineData("{\"version\":\"4\",\"status\":\"firing\",\"alerts\":[{\"status\":\"firing\"}]}", "no labels")]
    [InlineData("{\"version\":\"4\",\"status\":\"firing\",\"alerts\":[{\"status\":\"firing\",\"labels\":{}}]}", "lacks label public_ip")]
    [InlineData("{\"version\":\"4\",\"status\":\"firing\",\"alerts\":[{\"status\":\"firing\",\"labels\":{\"public_ip\":\"1.2.3.4; reboot\",\"container_label_com_docker_swarm_service_name\":\"b\"}}]}", "not an IP")]
    [InlineData("{\"version\":\"4\",\"status\":\"firing\",\"alerts\":[{\"status\":\"firing\",\"labels\":{\"public_ip\":\"1.2.3.4\",\"container_label_com_docker_swarm_service_name\":\"b;rm -rf /\"}}]}", "not a valid service")]
    [InlineData("{\"version\":\"4\",\"status\":\"firing\",\"alerts\":[{\"status\":\"firing\",\"labels\":{\"public_ip\":1}}]}", "malformed JSON")]
    public void Malformed_or_incomplete_payloads_are_refused_whole_with_the_reason(string body, string reason)
    {
        var error = Assert.Throws<WebhookRejectedException>(() => WebhookParser.Parse(AlertSource.Alertmanager, Encoding.UTF8.GetBytes(body), s_options));

        Assert.Equal(400, error.StatusCode);
        Assert.Contains(reason, error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("1e309")]
    [InlineData("2.5")]
    [InlineData("-1")]
    [InlineData("100000")]
    [InlineData("\"2\"")]
    [InlineData("null")]
    public void Seed_values_that_are_not_sane_counts_make_the_alert_invalid(string value)
    {
        var json = Payloads.SeedRule(2, 1, 1, "up").ToJsonString().Replace("\"app_new_containers_number\":2", $"\"app_new_containers_number\":{value}", StringComparison.Ordinal);

        var parsed = WebhookParser.Parse(AlertSource.Grafana, Encoding.UTF8.GetBytes(json), s_options);

        Assert.Empty(parsed.Requests);
        var invalid = Assert.Single(parsed.Invalid);
        Assert.Equal(0, invalid.Index);
        Assert.Contains("app_new_containers_number must be a whole number", invalid.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void One_invalid_alert_is_reported_and_the_valid_ones_are_still_read()
    {
        var root = Payloads.WithTargets(Payloads.AlertmanagerWire);
        var alerts = root["alerts"]!.AsArray();
        var noHost = alerts[0]!.DeepClone();
        noHost["labels"]!.AsObject().Remove("public_ip");
        alerts.Insert(0, noHost);
        var badService = alerts[1]!.DeepClone();
        badService["labels"]!["container_label_com_docker_swarm_service_name"] = "b;rm -rf /";
        alerts.Add(badService);
        alerts.Add(null);

        var parsed = WebhookParser.Parse(AlertSource.Alertmanager, Payloads.Bytes(root), s_options);

        Assert.Equal("backend", Assert.Single(parsed.Requests).Service);
        Assert.Equal([0, 3, 4], parsed.Invalid.Select(i => i.Index));
        Assert.Contains("lacks label public_ip", parsed.Invalid[0].Reason, StringComparison.Ordinal);
        Assert.Contains("not a valid service name", parsed.Invalid[1].Reason, StringComparison.Ordinal);
        Assert.Equal("alert 4 is null", parsed.Invalid[2].Reason);
    }

    [Theory]
    [InlineData(1, 2, "up")]
    [InlineData(3, 2, "down")]
    public void A_direction_label_that_contradicts_the_counts_makes_the_alert_invalid(int target, int active, string scaling)
    {
        var parsed = WebhookParser.Parse(AlertSource.Grafana, Payloads.Bytes(Payloads.SeedRule(target, active, 1, scaling)), s_options);

        Assert.Empty(parsed.Requests);
        Assert.Contains($"label scaling is {scaling} but the counts go from {active} to {target}", Assert.Single(parsed.Invalid).Reason, StringComparison.Ordinal);
    }
}
