namespace BuzzTalk.Scaler.Execution;

/// <summary>What became of one request: the audit record and the webhook's answer per alert.</summary>
public sealed record ScaleOutcome(
    DateTimeOffset At,
    string Source,
    string Host,
    string Service,
    string Mode,
    string Result,
    int? From,
    int? To,
    string Reason,
    double DurationMs)
{
    /// <summary>From the request to <c>docker service scale</c> returning; null when nothing was issued.</summary>
    public double? IssuedMs { get; init; }

    public const string Scaled = "scaled";
    public const string Unchanged = "unchanged";
    public const string Deferred = "deferred";
    public const string Refused = "refused";
    public const string Failed = "failed";
}
