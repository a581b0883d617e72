using System.Globalization;
using System.Text;
using System.Text.Json;
using BuzzTalk.Scaler.Execution;
using BuzzTalk.Scaler.Webhooks;

namespace BuzzTalk.Scaler.Notifications;

/// <summary>
/// Alertmanager payloads and scale outcomes as Discord messages, always within Discord's limits
/// (a message over them is refused whole, so every text is cut to fit, never split inside a
/// surrogate pair).
/// </summary>
public static class DiscordFormatter
{
    private const int Red = 0xE01E5A;
    private const int Green = 0x2EB67D;
    private const int MaxLine = 300;

    /// <summary>The payload read leniently; throws <see cref="WebhookRejectedException"/> (400) when it is not one.</summary>
    public static AlertmanagerNotification Parse(ReadOnlySpan<byte> body)
    {
        AlertmanagerNotification? payload;
        try
        {
            payload = JsonSerializer.Deserialize(body, AlertmanagerJsonContext.Default.AlertmanagerNotification);
        }
        catch (JsonException ex)
        {
            throw new WebhookRejectedException(400, $"malformed JSON at {ex.Path ?? "$"} (line {ex.LineNumber}, byte {ex.BytePositionInLine})");
        }
        catch (InvalidOperationException)
        {
            throw new WebhookRejectedException(400, "malformed JSON");
        }

        if (payload is null)
        {
            throw new WebhookRejectedException(400, "the body is null, not an Alertmanager payload");
        }

        return payload.Alerts is null
            ? throw new WebhookRejectedException(400, "the payload has no alerts array")
            : payload;
    }

    public static DiscordMessage FromAlertmanager(AlertmanagerNotification payload, WebhookOptions labels)
    {
        var alerts = payload.Alerts?.Where(a => a is not null).Select(a => a!).ToList() ?? [];
        var firing = alerts.Count(a => a.Status != "resolved");
        var status = payload.Status ?? (firing > 0 ? "firing" : "resolved");
        var truncated = payload.TruncatedAlerts is > 0 ? $" (+{payload.TruncatedAlerts.Value.ToString(CultureInfo.InvariantCulture)} truncated by Alertmanager)" : "";
        var header = $"{(status == "resolved" ? "✅" : "🔥")} **{status.ToUpperInvariant()}** · {alerts.Count} alert{(alerts.Count == 1 ? "" : "s")}"
            + $" ({firing} firing, {alerts.Count - firing} resolved){truncated}"
            + (string.IsNullOrEmpty(payload.Receiver) ? "" : $" · receiver {payload.Receiver}");

        var content = Lines(Truncate(header, MaxLine), alerts.Select(a => Truncate(Summary(a, labels), MaxLine)).ToList(), DiscordMessage.MaxContent);

        var embeds = new List<DiscordEmbed>();
        var budget = DiscordMessage.MaxEmbedsTotal;
        foreach (var alert in alerts.Take(DiscordMessage.MaxEmbeds))
        {
            var title = Truncate($"{(alert.Status == "resolved" ? "[RESOLVED]" : "[FIRING]")} {Label(alert.Labels, "alertname") ?? "alert"}",
                Math.Min(DiscordEmbed.MaxTitle, budget));
            var room = Math.Min(DiscordEmbed.MaxDescription, budget - title.Length);
            if (room < 50)
            {
                // Too little left for a useful embed; the content still lists every alert.
                break;
            }

            var description = Truncate(Details(alert), room);
            budget -= title.Length + description.Length;
            embeds.Add(new DiscordEmbed(title, description, alert.Status == "resolved" ? Green : Red));
        }

        return new DiscordMessage(content, embeds.Count > 0 ? embeds : null);
    }

    /// <summary>One executed change or failure, for the decision notifications.</summary>
    public static DiscordMessage FromOutcome(ScaleOutcome outcome)
    {
        var change = outcome.From is { } from && outcome.To is { } to
            ? $"{from.ToString(CultureInfo.InvariantCulture)} → {to.ToString(CultureInfo.InvariantCulture)}"
            : "no change";
        var title = outcome.Result == ScaleOutcome.Failed
            ? "❌ **Scale failed**"
            : outcome.To > outcome.From ? "⬆️ **Scaled up**" : "⬇️ **Scaled down**";
        var text = $"{title} `{outcome.Service}` on {outcome.Host}: {change}\n"
            + $"Reason: {outcome.Reason}\n"
            + $"Source: {outcome.Source} · mode {outcome.Mode} · {outcome.DurationMs.ToString("0", CultureInfo.InvariantCulture)} ms"
            + $" · {outcome.At.ToString("u", CultureInfo.InvariantCulture)}";
        return new DiscordMessage(Truncate(text, DiscordMessage.MaxContent), null);
    }

    /// <summary>At most <paramref name="max"/> UTF-16 units (Discord counts code points, never more), ending in … when cut.</summary>
    public static string Truncate(string text, int max)
    {
        if (text.Length <= max)
        {
            return text;
        }

        if (max <= 0)
        {
            return "";
        }

        var cut = max - 1;
        if (cut > 0 && char.IsHighSurrogate(text[cut - 1]))
        {
            cut--;
        }

        return string.Concat(text.AsSpan(0, cut), "…");
    }

    /// <summary>The header and as many whole lines as fit, then how many were left out.</summary>
    private static string Lines(string header, List<string> lines, int max)
    {
        var text = new StringBuilder(header);
        for (var i = 0; i < lines.Count; i++)
        {
            var more = $"\n… and {(lines.Count - i).ToString(CultureInfo.InvariantCulture)} more";
            var reserve = i == lines.Count - 1 ? 0 : more.Length + 10;
            if (text.Length + 1 + lines[i].Length + reserve > max)
            {
                text.Append(more);
                break;
            }

            text.Append('\n').Append(lines[i]);
        }

        return Truncate(text.ToString(), max);
    }

    private static string Summary(NotificationAlert alert, WebhookOptions labels)
    {
        var name = Label(alert.Labels, "alertname") ?? "alert";
        var severity = Label(alert.Labels, "severity");
        var service = Label(alert.Labels, labels.ServiceLabel) ?? Label(alert.Labels, "service");
        var host = Label(alert.Labels, labels.HostLabel);
        var summary = Label(alert.Annotations, "summary");
        return $"{(alert.Status == "resolved" ? "✅" : "•")} **{name}**"
            + (severity is null ? "" : $" [{severity}]")
            + (service is null ? "" : $" {service}")
            + (host is null ? "" : $" @ {host}")
            + (summary is null ? "" : $" — {summary}");
    }

    private static string Details(NotificationAlert alert)
    {
        var text = new StringBuilder();
        if (Label(alert.Annotations, "summary") is { } summary)
        {
            text.Append("**").Append(summary).Append("**\n");
        }

        if (Label(alert.Annotations, "description") is { } description)
        {
            text.Append(description).Append('\n');
        }

        foreach (var (name, value) in (alert.Labels ?? []).OrderBy(l => l.Key, StringComparer.Ordinal))
        {
            text.Append(name).Append(" = ").Append(value).Append('\n');
        }

        return text.Length == 0 ? "(no labels)" : text.ToString().TrimEnd('\n');
    }

    private static string? Label(Dictionary<string, string?>? labels, string name) =>
        labels is not null && labels.TryGetValue(name, out var value) && !string.IsNullOrEmpty(value) ? value : null;
}
