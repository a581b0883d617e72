namespace BuzzTalk.Scaler.Webhooks;

public enum AlertSource
{
    /// <summary>Grafana unified alerting, webhook version "1".</summary>
    Grafana,

    /// <summary>Prometheus Alertmanager, webhook version "4".</summary>
    Alertmanager,

    /// <summary>The Scaler's own evaluator (no alerting stack needed).</summary>
    Evaluator,
}
