using System.Diagnostics.Metrics;
using BuzzTalk.Scaler.Execution;

namespace BuzzTalk.Scaler;

/// <summary>Meter <c>BuzzTalk.Scaler</c>, exported on <c>/metrics</c> and to OTLP.</summary>
public sealed class ScalerMetrics : IDisposable
{
    public const string MeterName = "BuzzTalk.Scaler";
    private readonly Meter _meter;
    private readonly Counter<long> _webhooks;
    private readonly Counter<long> _decisions;
    private readonly Histogram<double> _duration;
    private readonly Counter<long> _notifications;
    private readonly Histogram<double> _convergence;
    private readonly UpDownCounter<long> _pending;

    public ScalerMetrics(IMeterFactory meters)
    {
        _meter = meters.Create(MeterName);
        _webhooks = _meter.CreateCounter<long>("buzztalk.scaler.webhooks", "{request}", "Webhook requests by source and answer status.");
        _decisions = _meter.CreateCounter<long>("buzztalk.scaler.decisions", "{decision}", "Decisions by source, direction and result.");
        _notifications = _meter.CreateCounter<long>("buzztalk.scaler.notifications", "{notification}",
            "Discord notifications by kind (alert, decision) and result (sent, failed, dropped).");
        _duration = _meter.CreateHistogram<double>("buzztalk.scaler.scale.duration", "s",
            "From request to the decision: for a scale, to the engine accepting the new count (what the webhook waits for).");
        _convergence = _meter.CreateHistogram<double>("buzztalk.scaler.convergence.duration", "s",
            "From request to the new count running, by result (converged, timed-out, unknown, superseded), followed in the background.");
        _pending = _meter.CreateUpDownCounter<long>("buzztalk.scaler.convergence.pending", "{scale}", "Issued scales whose new count is not running yet.");
    }

    public void Webhook(string source, int status) =>
        _webhooks.Add(1, new KeyValuePair<string, object?>("source", source), new KeyValuePair<string, object?>("status", status));

    public void Decision(ScaleOutcome outcome)
    {
        var direction = outcome.From is { } from && outcome.To is { } to ? to > from ? "up" : to < from ? "down" : "none" : "none";
        _decisions.Add(1,
            new KeyValuePair<string, object?>("source", outcome.Source),
            new KeyValuePair<string, object?>("direction", direction),
            new KeyValuePair<string, object?>("result", outcome.Result));
        _duration.Record(outcome.DurationMs / 1000, new KeyValuePair<string, object?>("result", outcome.Result));
    }

    public void Convergence(string result, double seconds) => _convergence.Record(seconds, new KeyValuePair<string, object?>("result", result));

    public void ConvergencePending(int delta) => _pending.Add(delta);

    public void NotificationSent(string kind) => Notification(kind, "sent");

    public void NotificationFailed(string kind) => Notification(kind, "failed");

    /// <summary>A queued notification pushed out by a newer one (the queue was full).</summary>
    public void NotificationDropped(string kind) => Notification(kind, "dropped");

    public void Dispose() => _meter.Dispose();

    private void Notification(string kind, string result) =>
        _notifications.Add(1, new KeyValuePair<string, object?>("kind", kind), new KeyValuePair<string, object?>("result", result));
}
