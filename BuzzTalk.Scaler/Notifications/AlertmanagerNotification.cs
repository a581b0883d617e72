namespace BuzzTalk.Scaler.Notifications;

/// <summary>
/// The parts of an Alertmanager webhook (version "4") the relay formats. Read leniently: every
/// field may be missing, unknown fields are ignored; only the alerts array is required.
/// </summary>
public sealed record AlertmanagerNotification(
    string? Receiver,
    string? Status,
    IReadOnlyList<NotificationAlert?>? Alerts,
    long? TruncatedAlerts);
