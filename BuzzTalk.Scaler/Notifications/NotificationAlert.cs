namespace BuzzTalk.Scaler.Notifications;

/// <summary>One alert of an <see cref="AlertmanagerNotification"/>.</summary>
public sealed record NotificationAlert(
    string? Status,
    Dictionary<string, string?>? Labels,
    Dictionary<string, string?>? Annotations);
