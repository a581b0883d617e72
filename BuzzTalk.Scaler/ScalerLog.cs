namespace BuzzTalk.Scaler;

internal static partial class ScalerLog
{
    [LoggerMessage(1, LogLevel.Warning, "Evaluation of {Host} failed: {Reason}")]
    public static partial void EvaluationFailed(ILogger logger, string host, string reason);

    // Never the webhook URL: it holds Discord's token.
    [LoggerMessage(2, LogLevel.Warning, "Discord {Kind} notification failed: {Reason}")]
    public static partial void DiscordFailed(ILogger logger, string kind, string reason);

    [LoggerMessage(3, LogLevel.Information, "Discord rate-limited a {Kind} notification; retrying once in {Seconds} s")]
    public static partial void DiscordRateLimited(ILogger logger, string kind, double seconds);
}
