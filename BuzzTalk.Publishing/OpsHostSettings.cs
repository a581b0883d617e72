namespace BuzzTalk.Publishing;

/// <summary>The monitoring/control host: its services listen on loopback unless said otherwise.</summary>
public sealed record OpsHostSettings
{
    public int ScalerPort { get; init; } = 9789;

    public int DiscoveryPort { get; init; } = 9790;

    public int DeployerPort { get; init; } = 9791;

    public int PrometheusPort { get; init; } = 9090;

    public int AlertmanagerPort { get; init; } = 9093;

    public int GrafanaPort { get; init; } = 3000;

    public int BlackboxExporterPort { get; init; } = 9115;

    public int RedisExporterPort { get; init; } = 9121;

    /// <summary>User the Alertmanager and Grafana webhooks authenticate as at the Scaler.</summary>
    public string ScalerWebhookUser { get; init; } = Deployer.Env.EnvRenderer.DefaultWebhookUser;

    /// <summary>Where the BuzzTalk services' binaries are installed.</summary>
    public string InstallDirectory { get; init; } = "/opt/buzztalk";

    /// <summary>Where Discovery writes file_sd files that Prometheus reads.</summary>
    public string FileSdDirectory { get; init; } = "/var/lib/buzztalk/file_sd";

    /// <summary>
    /// Where a unit finds the credentials systemd hands it (<c>LoadCredential=</c>):
    /// <c>{this}/&lt;unit&gt;/&lt;name&gt;</c>. The local fleet, which has no systemd units, points it at its state.
    /// </summary>
    public string CredentialsDirectory { get; init; } = "/run/credentials";
}
