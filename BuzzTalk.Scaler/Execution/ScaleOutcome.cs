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
    /// <summary>From the request to the engine accepting the new count (the service update through the Engine API); null when nothing was issued.</summary>
    public double? IssuedMs { get; init; }

    /// <summary>
    /// For a failure: whether trying again can succeed with nothing changed (the host unreachable,
    /// the connection dropped, a timeout), as opposed to a refusal that needs a person (a changed
    /// host key, a rejected login). Decides the webhook's answer: 503 or 422.
    /// </summary>
    public bool Transient { get; init; }

    /// <summary>
    /// For a scale: <see cref="Pending"/> while the new count is being watched in the background,
    /// then <see cref="Converged"/>, <see cref="TimedOut"/>, <see cref="Unknown"/> (the watch failed)
    /// or <see cref="Superseded"/> (a newer scale of the same service). Null when nothing was issued.
    /// </summary>
    public string? Convergence { get; init; }

    /// <summary>From the request to the new count running (or to the watch ending otherwise).</summary>
    public double? ConvergedMs { get; init; }

    /// <summary>Replicas running when the watch ended.</summary>
    public int? Running { get; init; }

    public const string Scaled = "scaled";
    public const string Unchanged = "unchanged";
    public const string Deferred = "deferred";
    public const string Refused = "refused";
    public const string Failed = "failed";

    public const string Pending = "pending";
    public const string Converged = "converged";
    public const string TimedOut = "timed-out";
    public const string Unknown = "unknown";
    public const string Superseded = "superseded";
}
