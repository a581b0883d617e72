namespace BuzzTalk.Scaler.Notifications;

/// <summary>
/// Section <c>Scaler:Discord</c>. The webhook URL carries its token, so it is a secret: it is never
/// logged or answered, and unset switches every notification off.
/// </summary>
public sealed class DiscordOptions
{
    public const string SectionName = "Scaler:Discord";

    /// <summary>Discord's webhook URL (https; http only to loopback, for tests). Unset or empty disables notifications.</summary>
    public string? WebhookUrl { get; set; }

    /// <summary>Post every executed scale change and failure. Default true (takes effect only with a URL).</summary>
    public bool NotifyDecisions { get; set; } = true;

    /// <summary>Decision messages waiting to be sent; beyond this the oldest are dropped. Default 100.</summary>
    public int QueueCapacity { get; set; } = 100;

    /// <summary>The longest Discord <c>retry_after</c> waited for (once); a longer one fails the send. Default 5 s.</summary>
    public TimeSpan MaxRetryAfter { get; set; } = TimeSpan.FromSeconds(5);

    public bool IsConfigured => !string.IsNullOrWhiteSpace(WebhookUrl);

    /// <summary>Unset, or an absolute https URL, or http to a loopback address.</summary>
    public static bool IsAcceptableUrl(string? url) =>
        string.IsNullOrWhiteSpace(url)
        || (Uri.TryCreate(url, UriKind.Absolute, out var uri)
            && (uri.Scheme == Uri.UriSchemeHttps || (uri.Scheme == Uri.UriSchemeHttp && uri.IsLoopback)));
}
