namespace BuzzTalk.Scaler.Decisions;

/// <summary>A decision with the figures behind it, for the audit log.</summary>
public sealed record ScaleDecision(int Current, int Desired, int Recommended, string Reason)
{
    public bool Changes => Desired != Current;

    public string Direction => Desired > Current ? "up" : Desired < Current ? "down" : "none";
}
