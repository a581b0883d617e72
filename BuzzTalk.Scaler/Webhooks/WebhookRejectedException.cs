namespace BuzzTalk.Scaler.Webhooks;

/// <summary>A payload refused as a whole: answered 4xx with <see cref="Exception.Message"/> as the reason, nothing changed.</summary>
public sealed class WebhookRejectedException(int statusCode, string reason) : Exception(reason)
{
    public int StatusCode { get; } = statusCode;
}
