namespace BuzzTalk.Scaler.Webhooks;

/// <summary>
/// One firing alert turned into a request to act on (host, service). <see cref="TargetReplicas"/>
/// is set only by the seed's Grafana rule, which computed its own count; the Scaler still checks
/// it against capacity and min/max. Without it, the decision engine picks the count.
/// </summary>
public sealed record ScaleRequest(
    AlertSource Source,
    string Host,
    string Service,
    int? TargetReplicas,
    int? ActiveReplicas,
    string? SeedScaling,
    string AlertName,
    string Fingerprint)
{
    /// <summary>Usage already measured over a window (the evaluator); null samples it now.</summary>
    public double? Usage { get; init; }
}
