namespace BuzzTalk.Scaler.State;

/// <summary>
/// What the Scaler's decisions remember, as saved in <c>decision-state.json</c>: per
/// (host, service) the last action (for the cooldown), the recent recommendations (the
/// stabilization windows) and the evaluator's recent usage samples.
/// </summary>
public sealed record DecisionStateSnapshot(
    int Version,
    DateTimeOffset SavedAt,
    Dictionary<string, DateTimeOffset> LastActions,
    Dictionary<string, List<TimedValue>> Recommendations,
    Dictionary<string, List<TimedValue>> Samples)
{
    public const int CurrentVersion = 1;
}
