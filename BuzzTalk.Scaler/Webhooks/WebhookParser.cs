using System.Globalization;
using System.Net;
using System.Text.Json;
using BuzzTalk.Fleet.Swarm;

namespace BuzzTalk.Scaler.Webhooks;

/// <summary>
/// Strict reading of a webhook body. Every alert of the payload is processed (the seed read only
/// the first). A payload with any malformed or incomplete alert is refused whole with the
/// reason, so nothing acts on half a payload; resolved alerts change nothing.
/// </summary>
public static class WebhookParser
{
    // The seed's Grafana rule: its own target count, the count it saw, and whether to act.
    public const string NewCountValue = "app_new_containers_number";
    public const string ActiveCountValue = "app_active_containers";
    public const string TriggerValue = "scale_trigger";
    public const string ScalingLabel = "scaling";

    public static ParsedWebhook Parse(AlertSource source, ReadOnlySpan<byte> body, WebhookOptions options)
    {
        WebhookPayload? payload;
        try
        {
            payload = JsonSerializer.Deserialize(body, WebhookJsonContext.Default.WebhookPayload);
        }
        catch (JsonException ex)
        {
            throw Reject($"malformed JSON at {ex.Path ?? "$"} (line {ex.LineNumber}, byte {ex.BytePositionInLine})");
        }
        catch (InvalidOperationException)
        {
            throw Reject("malformed JSON");
        }

        if (payload is null)
        {
            throw Reject("the body is null, not a webhook payload");
        }

        var version = source == AlertSource.Grafana ? "1" : "4";
        if (payload.Version != version)
        {
            throw Reject($"unsupported {source} webhook version '{payload.Version}' (expected \"{version}\")");
        }

        if (payload.Status is not ("firing" or "resolved"))
        {
            throw Reject("status must be firing or resolved");
        }

        if (payload.Alerts is not { Count: > 0 } alerts)
        {
            throw Reject("the payload has no alerts");
        }

        var requests = new List<ScaleRequest>();
        var ignored = new List<AlertRejection>();
        for (var i = 0; i < alerts.Count; i++)
        {
            var alert = alerts[i] ?? throw Reject($"alert {i} is null");
            if (alert.Status is not ("firing" or "resolved"))
            {
                throw Reject($"alert {i}: status must be firing or resolved");
            }

            var labels = alert.Labels ?? throw Reject($"alert {i} has no labels");
            if (alert.Status == "resolved")
            {
                ignored.Add(new AlertRejection(i, "resolved"));
                continue;
            }

            if (ToRequest(source, i, alert, labels, options, ignored) is { } request)
            {
                requests.Add(request);
            }
        }

        return new ParsedWebhook(requests, ignored);
    }

    private static ScaleRequest? ToRequest(AlertSource source, int i, WebhookAlert alert, Dictionary<string, string> labels,
        WebhookOptions options, List<AlertRejection> ignored)
    {
        var host = Label(labels, options.HostLabel, i);
        if (!IPAddress.TryParse(host, out _) || host.Length > 45)
        {
            throw Reject($"alert {i}: label {options.HostLabel} is not an IP address");
        }

        var service = Label(labels, options.ServiceLabel, i);
        if (!SwarmNames.IsServiceName(service))
        {
            throw Reject($"alert {i}: label {options.ServiceLabel} is not a valid service name");
        }

        int? target = null, active = null;
        string? scaling = null;
        if (alert.Values is { } values && values.ContainsKey(NewCountValue))
        {
            target = Count(values, NewCountValue, i);
            active = Count(values, ActiveCountValue, i);
            var trigger = Count(values, TriggerValue, i);
            scaling = labels.GetValueOrDefault(ScalingLabel);
            if (scaling is not (null or "up" or "down" or "not_possible"))
            {
                throw Reject($"alert {i}: label {ScalingLabel} must be up, down or not_possible");
            }

            // The seed's own refusals, kept: nothing to do is not an error.
            if (trigger != 1 || scaling == "not_possible" || target == active)
            {
                ignored.Add(new AlertRejection(i, $"seed rule says no change (trigger {trigger}, scaling {scaling ?? "none"}, {active} -> {target})"));
                return null;
            }
        }

        var name = labels.GetValueOrDefault("alertname") ?? "";
        return new ScaleRequest(source, host, service, target, active, scaling, name.Length > 200 ? name[..200] : name, alert.Fingerprint ?? "");
    }

    private static string Label(Dictionary<string, string> labels, string name, int i) =>
        labels.TryGetValue(name, out var value) && value is not null ? value : throw Reject($"alert {i} lacks label {name}");

    private static int Count(Dictionary<string, JsonElement> values, string name, int i)
    {
        if (!values.TryGetValue(name, out var element) || element.ValueKind != JsonValueKind.Number
            || !element.TryGetDouble(out var number) || !double.IsFinite(number)
            || number != Math.Floor(number) || number < 0 || number > SwarmNames.MaxReplicas)
        {
            throw Reject($"alert {i}: value {name} must be a whole number from 0 to {SwarmNames.MaxReplicas.ToString(CultureInfo.InvariantCulture)}");
        }

        return (int)number;
    }

    private static WebhookRejectedException Reject(string reason) => new(400, reason);
}
