using System.Globalization;
using System.Net;
using System.Text.Json;
using BuzzTalk.Fleet.Swarm;

namespace BuzzTalk.Scaler.Webhooks;

/// <summary>
/// Strict reading of a webhook body. Every alert of the payload is processed (the seed read only
/// the first). A malformed payload is refused whole with the reason; within a well-formed one,
/// an invalid alert (no host label, a bad count...) is reported with its reason and the others
/// are processed, since Alertmanager and Grafana group unrelated alerts into one body. A payload
/// whose every alert is invalid is refused. Resolved alerts change nothing.
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
        var invalid = new List<AlertRejection>();
        for (var i = 0; i < alerts.Count; i++)
        {
            var alert = alerts[i];
            string? problem;
            if (alert is null)
            {
                problem = $"alert {i} is null";
            }
            else if (alert.Status is not ("firing" or "resolved"))
            {
                problem = $"alert {i}: status must be firing or resolved";
            }
            else if (alert.Labels is not { } labels)
            {
                problem = $"alert {i} has no labels";
            }
            else if (alert.Status == "resolved")
            {
                ignored.Add(new AlertRejection(i, "resolved"));
                continue;
            }
            else
            {
                problem = ToRequest(source, i, alert, labels, options, requests, ignored);
            }

            if (problem is not null)
            {
                invalid.Add(new AlertRejection(i, problem));
            }
        }

        // Nothing in the payload could be read: the sender's rule or template is wrong as a whole.
        if (requests.Count == 0 && ignored.Count == 0)
        {
            throw Reject(string.Join("; ", invalid.Take(10).Select(r => r.Reason)) + (invalid.Count > 10 ? $"; and {invalid.Count - 10} more" : ""));
        }

        return new ParsedWebhook(requests, ignored, invalid);
    }

    /// <summary>Adds the alert's request (or why it changes nothing); returns why the alert is invalid, or null.</summary>
    private static string? ToRequest(AlertSource source, int i, WebhookAlert alert, Dictionary<string, string> labels,
        WebhookOptions options, List<ScaleRequest> requests, List<AlertRejection> ignored)
    {
        if (Label(labels, options.HostLabel, i, out var host) is { } noHost)
        {
            return noHost;
        }

        if (!IPAddress.TryParse(host, out _) || host.Length > 45)
        {
            return $"alert {i}: label {options.HostLabel} is not an IP address";
        }

        if (Label(labels, options.ServiceLabel, i, out var service) is { } noService)
        {
            return noService;
        }

        if (!SwarmNames.IsServiceName(service))
        {
            return $"alert {i}: label {options.ServiceLabel} is not a valid service name";
        }

        int? target = null, active = null;
        string? scaling = null;
        if (alert.Values is { } values && values.ContainsKey(NewCountValue))
        {
            var badTarget = Count(values, NewCountValue, i, out var newCount);
            var badActive = Count(values, ActiveCountValue, i, out var activeCount);
            var badTrigger = Count(values, TriggerValue, i, out var trigger);
            if ((badTarget ?? badActive ?? badTrigger) is { } badValue)
            {
                return badValue;
            }

            (target, active) = (newCount, activeCount);
            scaling = labels.GetValueOrDefault(ScalingLabel);
            if (scaling is not (null or "up" or "down" or "not_possible"))
            {
                return $"alert {i}: label {ScalingLabel} must be up, down or not_possible";
            }

            // The seed's own refusals, kept: nothing to do is not an error.
            if (trigger != 1 || scaling == "not_possible" || target == active)
            {
                ignored.Add(new AlertRejection(i, $"seed rule says no change (trigger {trigger}, scaling {scaling ?? "none"}, {active} -> {target})"));
                return null;
            }

            // The rule states the direction twice, as a label and as two counts: they must agree.
            if ((scaling == "up" && target < active) || (scaling == "down" && target > active))
            {
                return $"alert {i}: label {ScalingLabel} is {scaling} but the counts go from {active} to {target}";
            }
        }

        var name = labels.GetValueOrDefault("alertname") ?? "";
        requests.Add(new ScaleRequest(source, host, service, target, active, scaling, name.Length > 200 ? name[..200] : name, alert.Fingerprint ?? ""));
        return null;
    }

    private static string? Label(Dictionary<string, string> labels, string name, int i, out string value)
    {
        value = labels.TryGetValue(name, out var found) && found is not null ? found : "";
        return found is null ? $"alert {i} lacks label {name}" : null;
    }

    private static string? Count(Dictionary<string, JsonElement> values, string name, int i, out int count)
    {
        count = 0;
        if (!values.TryGetValue(name, out var element) || element.ValueKind != JsonValueKind.Number
            || !element.TryGetDouble(out var number) || !double.IsFinite(number)
            || number != Math.Floor(number) || number < 0 || number > SwarmNames.MaxReplicas)
        {
            return $"alert {i}: value {name} must be a whole number from 0 to {SwarmNames.MaxReplicas.ToString(CultureInfo.InvariantCulture)}";
        }

        count = (int)number;
        return null;
    }

    private static WebhookRejectedException Reject(string reason) => new(400, reason);
}
