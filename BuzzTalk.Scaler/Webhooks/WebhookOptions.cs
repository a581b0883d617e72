namespace BuzzTalk.Scaler.Webhooks;

/// <summary>Section <c>Scaler:Webhooks</c>.</summary>
public sealed class WebhookOptions
{
    public const string SectionName = "Scaler:Webhooks";

    /// <summary>HTTP basic credentials every sender must present.</summary>
    public string Username { get; set; } = "";

    public string Password { get; set; } = "";

    /// <summary>Grafana's HMAC secret; when set, Grafana payloads must carry a valid signature.</summary>
    public string? GrafanaHmacSecret { get; set; }

    public string GrafanaSignatureHeader { get; set; } = "X-Grafana-Alerting-Signature";

    /// <summary>When set, the signed string is <c>timestamp:body</c>, the timestamp read from this header.</summary>
    public string? GrafanaTimestampHeader { get; set; }

    /// <summary>How old (or far ahead) a signed timestamp may be. Default 5 min.</summary>
    public TimeSpan MaxTimestampSkew { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>Larger bodies are refused with 413. Default 256 KiB.</summary>
    public int MaxBodyBytes { get; set; } = 256 * 1024;

    /// <summary>Label naming the host of a pressure alert (must match an inventory instance's public IP).</summary>
    public string HostLabel { get; set; } = "public_ip";

    /// <summary>Label naming the swarm service of a pressure alert.</summary>
    public string ServiceLabel { get; set; } = "container_label_com_docker_swarm_service_name";
}
