namespace BuzzTalk.Publishing.Monitoring;

/// <summary>
/// The <c>monitoring/</c> part of the publish bundle: Prometheus (config, rules, blackbox
/// modules), Alertmanager, and Grafana provisioning plus the dashboard. Deterministic: the same
/// settings give byte-identical files, in a fixed order. No secret values: credentials appear
/// only as paths of files under <see cref="PublishSettings.SecretsDirectory"/>.
/// </summary>
public static class MonitoringGenerator
{
    /// <summary>Where the ops host's install.sh copies the bundle's <c>monitoring/</c> folder (as <c>/etc/buzztalk/monitoring</c>).</summary>
    public const string InstalledRoot = "/etc/buzztalk";

    public const string PrometheusConfigPath = "monitoring/prometheus/prometheus.yml";
    public const string BlackboxConfigPath = "monitoring/prometheus/blackbox.yml";
    public const string ScalingRulesPath = "monitoring/prometheus/rules/scaling.yml";
    public const string AlertRulesPath = "monitoring/prometheus/rules/alerts.yml";
    public const string AlertmanagerConfigPath = "monitoring/alertmanager/alertmanager.yml";
    public const string GrafanaDatasourcePath = "monitoring/grafana/provisioning/datasources/prometheus.yml";
    public const string GrafanaDashboardProviderPath = "monitoring/grafana/provisioning/dashboards/buzztalk.yml";
    public const string GrafanaScalingRulesPath = "monitoring/grafana/provisioning/alerting/scaling-rules.yml";
    public const string GrafanaContactPointsPath = "monitoring/grafana/provisioning/alerting/contact-points.yml";
    public const string GrafanaPoliciesPath = "monitoring/grafana/provisioning/alerting/policies.yml";
    public const string GrafanaDashboardPath = "monitoring/grafana/dashboards/buzztalk.json";

    public static IReadOnlyList<BundleFile> Generate(PublishSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);

        // Relative to prometheus.yml's directory, which is how Prometheus resolves rule_files.
        string[] ruleFiles = [RelativeToPrometheus(ScalingRulesPath), RelativeToPrometheus(AlertRulesPath)];
        return
        [
            new(PrometheusConfigPath, PrometheusConfig.PrometheusYaml(settings, ruleFiles)),
            new(BlackboxConfigPath, PrometheusConfig.BlackboxYaml()),
            new(ScalingRulesPath, RuleFile([ScalingRules.Group(settings)])),
            new(AlertRulesPath, RuleFile(AlertRules.Groups())),
            new(AlertmanagerConfigPath, AlertmanagerConfig.Yaml(settings)),
            new(GrafanaDatasourcePath, GrafanaProvisioning.Datasource(settings)),
            new(GrafanaDashboardProviderPath, GrafanaProvisioning.DashboardProvider()),
            new(GrafanaScalingRulesPath, GrafanaProvisioning.ScalingRuleGroup()),
            new(GrafanaContactPointsPath, GrafanaProvisioning.ContactPoints(settings)),
            new(GrafanaPoliciesPath, GrafanaProvisioning.Policies()),
            new(GrafanaDashboardPath, GrafanaDashboard.Json()),
        ];
    }

    private static string RuleFile(IReadOnlyList<YamlDotNet.RepresentationModel.YamlMappingNode> groups) =>
        YamlText.Write(YamlText.Map(("groups", YamlText.SeqOf(groups))), PrometheusConfig.Header);

    private static string RelativeToPrometheus(string path) => path["monitoring/prometheus/".Length..];
}
