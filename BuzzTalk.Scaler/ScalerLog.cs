namespace BuzzTalk.Scaler;

internal static partial class ScalerLog
{
    [LoggerMessage(1, LogLevel.Warning, "Evaluation of {Host} failed: {Reason}")]
    public static partial void EvaluationFailed(ILogger logger, string host, string reason);
}
