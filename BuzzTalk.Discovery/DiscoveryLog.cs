
namespace BuzzTalk.Discovery;

internal static partial class DiscoveryLog
{
    [LoggerMessage(1, LogLevel.Debug, "Refreshed from {Provider}: {Count} instances")]
    public static partial void Refreshed(ILogger logger, string provider, int count);

    [LoggerMessage(2, LogLevel.Warning, "Refresh from {Provider} failed ({Failures} in a row); still serving the last good {Count} instances")]
    public static partial void RefreshFailed(ILogger logger, Exception exception, string provider, int failures, int count);

    // Debug: with spot churn the inventory can change on every refresh.
    [LoggerMessage(3, LogLevel.Debug, "Wrote {Path} ({Count} target groups)")]
    public static partial void FileWritten(ILogger logger, string path, int count);

    [LoggerMessage(4, LogLevel.Warning, "Probe {Kind}/{Name} failed: {Reason}")]
    public static partial void ProbeFailed(ILogger logger, string kind, string name, string reason);

    // Once per instance and reason while it lasts (it is counted on every refresh).
    [LoggerMessage(5, LogLevel.Warning, "Left out instance {Name} in zone '{Zone}' from {Provider}: {Reason} ({Detail}); the rest is published")]
    public static partial void InstanceDropped(ILogger logger, string provider, string zone, string name, string reason, string detail);

    [LoggerMessage(6, LogLevel.Information, "Serving {Count} instances saved at {SavedAt:O} until a refresh succeeds")]
    public static partial void InventoryRestored(ILogger logger, int count, DateTimeOffset savedAt);

    [LoggerMessage(7, LogLevel.Warning, "Could not read the saved inventory {Path}; starting without it")]
    public static partial void RestoreFailed(ILogger logger, Exception exception, string path);

    [LoggerMessage(8, LogLevel.Warning, "Could not save the inventory to {Path}")]
    public static partial void SaveFailed(ILogger logger, Exception exception, string path);

    // Once per instance: the watch takes it out once, and later refreshes leave it out without a word.
    [LoggerMessage(9, LogLevel.Information, "Instance {Name} in zone '{Zone}' (id {Id}) was preempted; taken out of the inventory")]
    public static partial void InstancePreempted(ILogger logger, string name, string zone, string id);

    // The level is chosen by the watch: a warning for the first failure in a row, debug for the rest (it polls every few seconds).
    [LoggerMessage(EventId = 10, Message = "Polling preemptions failed ({Failures} in a row); the inventory is left as it was")]
    public static partial void PreemptionPollFailed(ILogger logger, LogLevel level, Exception exception, int failures);

    [LoggerMessage(11, LogLevel.Information, "Polling preemptions works again after {Failures} failed polls")]
    public static partial void PreemptionPollRecovered(ILogger logger, int failures);

    [LoggerMessage(12, LogLevel.Debug, "Skipped {Count} preemption operations without a valid targetId or insertTime")]
    public static partial void PreemptionOperationsSkipped(ILogger logger, int count);
}
