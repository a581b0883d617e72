using System.Globalization;
using YamlDotNet.RepresentationModel;
using static BuzzTalk.Publishing.YamlText;

namespace BuzzTalk.Publishing.Monitoring;

/// <summary>
/// <c>alertmanager.yml</c>: scaling alerts (<c>scalecontainer="true"</c>) to the Scaler's webhook,
/// everything else to Discord through the Scaler's relay. Alertmanager 0.25 has no
/// <c>webhook_url_file</c> for Discord and the Discord URL is a secret, so the relay keeps it;
/// both receivers authenticate with a password file, never a password in the config.
/// </summary>
public static class AlertmanagerConfig
{
    public const string ScalerReceiver = "scaler";
    public const string DiscordReceiver = "discord";

    public static string Yaml(PublishSettings settings)
    {
        var scaler = $"http://127.0.0.1:{settings.OpsHost.ScalerPort.ToString(CultureInfo.InvariantCulture)}";
        return Write(
            Map(
                ("global", Map(("resolve_timeout", Str("5m")))),
                ("route", Map(
                    ("receiver", Str(DiscordReceiver)),
                    ("group_by", StrSeq("alertname", "instance")),
                    ("group_wait", Str("30s")),
                    ("group_interval", Str("5m")),
                    ("repeat_interval", Str("4h")),
                    ("routes", Seq(Map(
                        ("receiver", Str(ScalerReceiver)),
                        ("matchers", StrSeq($"{MonitoringDefaults.ScaleContainerLabel}=\"true\"")),
                        ("group_by", StrSeq("alertname", MonitoringDefaults.PublicIpLabel, MonitoringDefaults.ServiceLabel)),
                        // Short waits: a scaling alert has already been pending for its `for`.
                        ("group_wait", Str("10s")),
                        ("group_interval", Str("1m")),
                        // Sustained pressure re-notifies, so the Scaler re-measures and steps again.
                        ("repeat_interval", Str("5m"))))))),
                ("receivers", Seq(
                    Receiver(ScalerReceiver, $"{scaler}/api/webhooks/alertmanager", settings),
                    Receiver(DiscordReceiver, $"{scaler}/api/notify/discord", settings))),
                // A dead instance cannot be scaled and its container series vanish; one page is enough.
                ("inhibit_rules", Seq(Map(
                    ("source_matchers", StrSeq($"alertname=\"{MonitoringDefaults.InstanceDownAlert}\"")),
                    ("target_matchers", StrSeq("alertname=~\"BuzzTalkContainer.+|BuzzTalkCadvisorDown\"")),
                    ("equal", StrSeq("instance")))))),
            PrometheusConfig.Header);
    }

    /// <summary>
    /// Where a service finds the webhook password: the secret stays root-only (0600) under the
    /// secrets directory, and systemd hands the unit a copy it can read (<c>LoadCredential=</c>,
    /// set by the ops host's drop-ins) under <c>/run/credentials/&lt;unit&gt;/</c>.
    /// </summary>
    public static string PasswordFile(PublishSettings settings, string unit) =>
        $"{settings.OpsHost.CredentialsDirectory.TrimEnd('/')}/{unit}/{MonitoringDefaults.ScalerWebhookPasswordFile}";

    /// <summary>The root-only file the credential is loaded from.</summary>
    public static string SecretFile(PublishSettings settings) =>
        settings.SecretsDirectory.TrimEnd('/') + "/" + MonitoringDefaults.ScalerWebhookPasswordFile;

    public const string Unit = "prometheus-alertmanager.service";

    public const string GrafanaUnit = "grafana-server.service";

    private static YamlMappingNode Receiver(string name, string url, PublishSettings settings) => Map(
        ("name", Str(name)),
        ("webhook_configs", Seq(Map(
            ("url", Str(url)),
            ("send_resolved", Bool(true)),
            ("http_config", Map(
                ("basic_auth", Map(
                    ("username", Str(settings.OpsHost.ScalerWebhookUser)),
                    ("password_file", Str(PasswordFile(settings, Unit)))))))))));
}
