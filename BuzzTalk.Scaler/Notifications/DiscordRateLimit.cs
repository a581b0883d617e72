namespace BuzzTalk.Scaler.Notifications;

/// <summary>The body of Discord's 429: how many seconds to wait.</summary>
public sealed record DiscordRateLimit(double? RetryAfter);
