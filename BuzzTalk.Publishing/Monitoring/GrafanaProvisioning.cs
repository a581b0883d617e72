using System.Globalization;
using YamlDotNet.RepresentationModel;
using static BuzzTalk.Publishing.YamlText;

namespace BuzzTalk.Publishing.Monitoring;

/// <summary>
/// Grafana's provisioning files: the Prometheus datasource, the dashboard provider, and a file
/// provisioned alert rule group mirroring the Prometheus scaling alert (an alternative to it),
/// with a webhook contact point at the Scaler and a policy routing <c>scalecontainer=true</c> there.
/// </summary>
public static class GrafanaProvisioning
{
    public const string ScalerContactPoint = "buzztalk-scaler";
    public const string DiscordContactPoint = "buzztalk-discord-relay";
    public const string ScalingRuleUid = "buzztalk-container-scaling";

    // Grafana's server-side expressions datasource.
    private const string ExpressionUid = "__expr__";

    public static string Datasource(PublishSettings settings) => Write(Map(
        ("apiVersion", Num(1)),
        ("datasources", Seq(Map(
            ("name", Str("Prometheus")),
            ("uid", Str(MonitoringDefaults.DatasourceUid)),
            ("type", Str("prometheus")),
            ("access", Str("proxy")),
            ("url", Str($"http://127.0.0.1:{Invariant(settings.OpsHost.PrometheusPort)}")),
            ("isDefault", Bool(true)),
            ("editable", Bool(false)),
            ("jsonData", Map(("timeInterval", Str("15s")), ("httpMethod", Str("POST")))))))),
        PrometheusConfig.Header);

    public static string DashboardProvider() => Write(Map(
        ("apiVersion", Num(1)),
        ("providers", Seq(Map(
            ("name", Str("buzztalk")),
            ("orgId", Num(1)),
            ("folder", Str(MonitoringDefaults.GrafanaFolder)),
            ("type", Str("file")),
            ("disableDeletion", Bool(true)),
            ("allowUiUpdates", Bool(false)),
            ("updateIntervalSeconds", Num(60)),
            ("options", Map(("path", Str(MonitoringDefaults.GrafanaDashboardsDirectory)))))))),
        PrometheusConfig.Header);

    /// <summary>
    /// The scaling rule: per (instance, service) the recorded step, the running count and the
    /// seed's value names (<c>app_new_containers_number</c>, <c>app_active_containers</c>,
    /// <c>scale_trigger</c>) as refIds, so the Scaler reads them from the payload's <c>values</c>.
    /// </summary>
    public static string ScalingRuleGroup()
    {
        var s = MonitoringDefaults.ServiceLabel;
        return Write(Map(
            ("apiVersion", Num(1)),
            ("groups", Seq(Map(
                ("orgId", Num(1)),
                ("name", Str("buzztalk-container-scaling")),
                ("folder", Str(MonitoringDefaults.GrafanaFolder)),
                ("interval", Str("60s")),
                ("rules", Seq(Map(
                    ("uid", Str(ScalingRuleUid)),
                    ("title", Str("BuzzTalkContainerScaling")),
                    ("condition", Str("scale_trigger")),
                    ("data", Seq(
                        Query("scale_step", ScalingRules.ScaleStep),
                        Query("app_active_containers", ScalingRules.Containers),
                        Expression("app_new_containers_number", "$app_active_containers + $scale_step"),
                        Expression("scale_trigger", "abs($scale_step) > 0"))),
                    ("noDataState", Str("KeepLast")),
                    ("execErrState", Str("KeepLast")),
                    ("for", Str("1m")),
                    ("annotations", Map(
                        ("summary", Str("{{ $labels." + s + " }} on {{ $labels.instance }}: scale {{ if gt $values.scale_step.Value 0.0 }}up{{ else }}down{{ end }}")),
                        ("description", Str("Grafana's copy of the Prometheus scaling rule: {{ $values.app_active_containers }} running, {{ $values.app_new_containers_number }} wanted on {{ $labels.public_ip }}.")))),
                    // Labels go through Grafana's provisioning variable expansion, so the alert
                    // template's `$` is written `$$`.
                    ("labels", Map(
                        (MonitoringDefaults.ScaleContainerLabel, Str("true")),
                        (MonitoringDefaults.ScalingLabel, Str("{{ if gt $$values.scale_step.Value 0.0 }}up{{ else }}down{{ end }}"))))))))))),
            PrometheusConfig.Header);
    }

    public static string ContactPoints(PublishSettings settings)
    {
        var scaler = $"http://127.0.0.1:{Invariant(settings.OpsHost.ScalerPort)}";
        return Write(Map(
            ("apiVersion", Num(1)),
            ("contactPoints", Seq(
                ContactPoint(ScalerContactPoint, $"{scaler}/api/webhooks/grafana", settings),
                ContactPoint(DiscordContactPoint, $"{scaler}/api/notify/discord", settings)))),
            PrometheusConfig.Header);
    }

    public static string Policies() => Write(Map(
        ("apiVersion", Num(1)),
        ("policies", Seq(Map(
            ("orgId", Num(1)),
            ("receiver", Str(DiscordContactPoint)),
            ("group_by", StrSeq("grafana_folder", "alertname")),
            ("routes", Seq(Map(
                ("receiver", Str(ScalerContactPoint)),
                ("object_matchers", Seq(StrSeq(MonitoringDefaults.ScaleContainerLabel, "=", "true"))),
                ("group_by", StrSeq("alertname", MonitoringDefaults.PublicIpLabel, MonitoringDefaults.ServiceLabel)),
                ("group_wait", Str("10s")),
                ("group_interval", Str("1m")),
                ("repeat_interval", Str("5m"))))))))),
        PrometheusConfig.Header);

    // The password is read by Grafana from the secret file at provisioning time; the file here
    // holds only its path.
    private static YamlMappingNode ContactPoint(string name, string url, PublishSettings settings) => Map(
        ("orgId", Num(1)),
        ("name", Str(name)),
        ("receivers", Seq(Map(
            ("uid", Str(name)),
            ("type", Str("webhook")),
            ("disableResolveMessage", Bool(false)),
            ("settings", Map(
                ("url", Str(url)),
                ("httpMethod", Str("POST")),
                ("username", Str(settings.OpsHost.ScalerWebhookUser)),
                ("password", Str($"$__file{{{AlertmanagerConfig.PasswordFile(settings, AlertmanagerConfig.GrafanaUnit)}}}"))))))));

    private static YamlMappingNode Query(string refId, string expr) => Map(
        ("refId", Str(refId)),
        ("relativeTimeRange", Map(("from", Num(600)), ("to", Num(0)))),
        ("datasourceUid", Str(MonitoringDefaults.DatasourceUid)),
        ("model", Map(
            ("refId", Str(refId)),
            ("datasource", Map(("type", Str("prometheus")), ("uid", Str(MonitoringDefaults.DatasourceUid)))),
            ("expr", Str(expr)),
            ("instant", Bool(true)),
            ("range", Bool(false)),
            ("intervalMs", Num(15000)),
            ("maxDataPoints", Num(43200)))));

    private static YamlMappingNode Expression(string refId, string expression) => Map(
        ("refId", Str(refId)),
        ("relativeTimeRange", Map(("from", Num(0)), ("to", Num(0)))),
        ("datasourceUid", Str(ExpressionUid)),
        ("model", Map(
            ("refId", Str(refId)),
            ("datasource", Map(("type", Str(ExpressionUid)), ("uid", Str(ExpressionUid)))),
            ("type", Str("math")),
            ("expression", Str(expression)))));

    private static string Invariant(int value) => value.ToString(CultureInfo.InvariantCulture);
}
