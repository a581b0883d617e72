namespace BuzzTalk.Scaler.Configuration;

public enum DecisionMode
{
    /// <summary>Proportional target tracking (Kubernetes HPA style).</summary>
    TargetTracking,

    /// <summary>The seed's rule: one step up or down on its thresholds.</summary>
    Seed,
}
