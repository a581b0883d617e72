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

    [LoggerMessage(4, LogLevel.Warning, "Scaler:Services is empty: no service will be scaled")]
    public static partial void NoServices(ILogger logger);

    [LoggerMessage(5, LogLevel.Information, "Scaling only {Services}")]
    public static partial void Services(ILogger logger, string services);

    // The client's fault (a broken or stalled body, a dropped connection): answered 400, not an error of ours.
    [LoggerMessage(6, LogLevel.Debug, "Request body for {Path} could not be read: {Reason}")]
    public static partial void BodyUnreadable(ILogger logger, string path, string reason);

    [LoggerMessage(7, LogLevel.Warning, "Scale of {Service} on {Host} from {From} to {To} did not converge: {Problem}")]
    public static partial void NotConverged(ILogger logger, string service, string host, int from, int to, string problem);

    [LoggerMessage(8, LogLevel.Warning, "Scale of {Service} on {Host} failed ({Kind}): {Reason}")]
    public static partial void ScaleFailed(ILogger logger, string service, string host, string kind, string reason);

    [LoggerMessage(9, LogLevel.Information, "Decision state loaded from {Path} (saved {SavedAt:u}): {Cooldowns} cooldowns, {Windows} stabilization windows, {Samples} sample windows")]
    public static partial void StateLoaded(ILogger logger, string path, DateTimeOffset savedAt, int cooldowns, int windows, int samples);

    [LoggerMessage(10, LogLevel.Information, "No decision state at {Path} yet; starting fresh")]
    public static partial void StateMissing(ILogger logger, string path);

    [LoggerMessage(11, LogLevel.Warning, "Decision state at {Path} is unreadable ({Reason}); starting fresh, it is rewritten at the next change")]
    public static partial void StateUnreadable(ILogger logger, string path, string reason);

    [LoggerMessage(12, LogLevel.Warning, "Decision state could not be saved to {Path}: {Reason}")]
    public static partial void StateNotSaved(ILogger logger, string path, string reason);

    [LoggerMessage(13, LogLevel.Information, "No state directory (Scaler:StateDirectory, or systemd's STATE_DIRECTORY): decision state is kept in memory only")]
    public static partial void StateInMemory(ILogger logger);

    [LoggerMessage(14, LogLevel.Debug, "Burst of {AllocatedMb} MB over: collected, working set {BeforeMb} MB -> {AfterMb} MB")]
    public static partial void MemoryTrimmed(ILogger logger, long allocatedMb, long beforeMb, long afterMb);
}
