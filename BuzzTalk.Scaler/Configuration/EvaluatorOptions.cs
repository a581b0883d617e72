namespace BuzzTalk.Scaler.Configuration;

/// <summary>Section <c>Scaler:Evaluator</c>: the Scaler's own loop, so Grafana is optional.</summary>
public sealed class EvaluatorOptions
{
    public bool Enabled { get; set; } = true;

    /// <summary>How often every inventory host is sampled. Default 10 s.</summary>
    public TimeSpan Interval { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Usage is averaged over this sliding window. Default 30 s, so sustained overload acts within about 60 s.</summary>
    public TimeSpan Window { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// A container the evaluator first sees is counted as starting for this long (besides while
    /// its health check has not passed): start-up CPU is not load. Containers already running when
    /// the Scaler starts are not. Default 30 s.
    /// </summary>
    public TimeSpan StartupGrace { get; set; } = TimeSpan.FromSeconds(30);
}
