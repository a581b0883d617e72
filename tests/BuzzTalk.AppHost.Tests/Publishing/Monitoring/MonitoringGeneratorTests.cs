using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using BuzzTalk.AppHost.Publish;
using BuzzTalk.Publishing;
using BuzzTalk.Publishing.Monitoring;
using BuzzTalk.Publishing.SpotFleet;
using BuzzTalk.Testing;
using YamlDotNet.RepresentationModel;

namespace BuzzTalk.AppHost.Tests.Publishing.Monitoring;

public sealed partial class MonitoringGeneratorTests : IDisposable
{
    private const string PublicIp = "203.0.113.10";
    private const string Instance = "buzztalk-abcd";
    private const string Backend = "buzztalk_backend";
    private const string Frontend = "buzztalk_frontend";

    private static readonly PublishSettings Settings = PublishedModel.Settings("http://" + PublicIp);

    private readonly ScratchDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public async Task Prometheus_config_and_its_rule_files_pass_promtool_check_config()
    {
        WriteBundle();

        var output = await ToolRun.RunCheckedAsync("promtool", _dir.Path, "check", "config", MonitoringGenerator.PrometheusConfigPath);

        Assert.Contains("SUCCESS", output, StringComparison.Ordinal);
        // Both rule files were found relative to prometheus.yml and checked with it.
        Assert.Contains("rules/scaling.yml", output, StringComparison.Ordinal);
        Assert.Contains("rules/alerts.yml", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Rule_files_pass_promtool_check_rules()
    {
        WriteBundle();

        var output = await ToolRun.RunCheckedAsync("promtool", _dir.Path, "check", "rules",
            MonitoringGenerator.ScalingRulesPath, MonitoringGenerator.AlertRulesPath);

        Assert.Contains("SUCCESS", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_broken_rule_fails_the_same_check()
    {
        // Proves the check above can fail: the pressure alert's expression cut short.
        WriteBundle();
        var path = Path.Combine(_dir.Path, MonitoringGenerator.ScalingRulesPath);
        var text = await File.ReadAllTextAsync(path);
        Assert.Contains("buzztalk:service_scale_step > 0", text, StringComparison.Ordinal);
        await File.WriteAllTextAsync(path, text.Replace("buzztalk:service_scale_step > 0", "buzztalk:service_scale_step >", StringComparison.Ordinal));

        var (exit, _) = await ToolRun.RunAsync("promtool", _dir.Path, "check", "rules", MonitoringGenerator.ScalingRulesPath);

        Assert.NotEqual(0, exit);
    }

    [Fact]
    public async Task Alertmanager_config_passes_amtool_check_config()
    {
        WriteBundle();

        var output = await ToolRun.RunCheckedAsync("amtool", _dir.Path, "check-config", MonitoringGenerator.AlertmanagerConfigPath);

        Assert.Contains("SUCCESS", output, StringComparison.Ordinal);
    }

    [Fact]
    public void Blackbox_module_is_the_seed_http_2xx()
    {
        var blackbox = Yaml(MonitoringGenerator.BlackboxConfigPath);
        var module = (YamlMappingNode)((YamlMappingNode)blackbox["modules"])["http_2xx"];

        Assert.Equal("http", Scalar(module, "prober"));
        Assert.Equal("30s", Scalar(module, "timeout"));
        Assert.Equal(["200"], ((YamlSequenceNode)((YamlMappingNode)module["http"])["valid_status_codes"]).Select(n => ((YamlScalarNode)n).Value));
    }

    [Fact]
    public async Task A_hot_backend_with_room_fires_the_pressure_alert_for_the_scaler()
    {
        var rules = await RuleTestAsync(Scenario(memTotal: 1_000_000_000, backendCpuPerSecond: 0.054, backendContainers: 1),
            Expect(MonitoringDefaults.PressureAlert, Backend, "info", ("scalecontainer", "true"), ("scaling", "up")),
            Expect(MonitoringDefaults.IdleAlert),
            Expect(MonitoringDefaults.NoRoomAlert));

        Assert.Contains("SUCCESS", rules, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_idle_backend_fires_nothing()
    {
        var rules = await RuleTestAsync(Scenario(memTotal: 1_000_000_000, backendCpuPerSecond: 0.006, backendContainers: 1),
            Expect(MonitoringDefaults.PressureAlert),
            Expect(MonitoringDefaults.IdleAlert),
            Expect(MonitoringDefaults.NoRoomAlert));

        Assert.Contains("SUCCESS", rules, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_hot_backend_on_a_node_without_memory_room_says_not_possible_and_does_not_go_to_the_scaler()
    {
        // 600 MB - (256 MiB + 60 MiB limits) - 106 MB infra leaves less than one more 256 MiB backend.
        var rules = await RuleTestAsync(Scenario(memTotal: 600_000_000, backendCpuPerSecond: 0.054, backendContainers: 1),
            Expect(MonitoringDefaults.PressureAlert),
            Expect(MonitoringDefaults.NoRoomAlert, Backend, "warning", ("scaling", "not_possible")));

        Assert.Contains("SUCCESS", rules, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_idle_backend_with_more_containers_than_wanted_fires_the_scale_down_alert()
    {
        var rules = await RuleTestAsync(Scenario(memTotal: 2_000_000_000, backendCpuPerSecond: 0.006, backendContainers: 2),
            Expect(MonitoringDefaults.IdleAlert, Backend, "info", ("scalecontainer", "true"), ("scaling", "down")),
            Expect(MonitoringDefaults.PressureAlert));

        Assert.Contains("SUCCESS", rules, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_rule_test_fails_when_the_expected_alert_does_not_fire()
    {
        // Proves the rule tests can fail: an idle backend expected to fire the pressure alert.
        var (exit, output) = await RuleTestRunAsync(Scenario(memTotal: 1_000_000_000, backendCpuPerSecond: 0.006, backendContainers: 1),
            Expect(MonitoringDefaults.PressureAlert, Backend, "info", ("scalecontainer", "true"), ("scaling", "up")));

        Assert.NotEqual(0, exit);
        Assert.Contains(MonitoringDefaults.PressureAlert, output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Alertmanager_routes_scaling_alerts_to_the_scaler_and_the_rest_to_discord()
    {
        WriteBundle();
        var config = "--config.file=" + MonitoringGenerator.AlertmanagerConfigPath;

        var scaling = await ToolRun.RunCheckedAsync("amtool", _dir.Path, "config", "routes", "test", config, "scalecontainer=true",
            "alertname=" + MonitoringDefaults.PressureAlert, "public_ip=" + PublicIp);
        var other = await ToolRun.RunCheckedAsync("amtool", _dir.Path, "config", "routes", "test", config, "alertname=" + MonitoringDefaults.InstanceDownAlert);
        var noRoom = await ToolRun.RunCheckedAsync("amtool", _dir.Path, "config", "routes", "test", config,
            "alertname=" + MonitoringDefaults.NoRoomAlert, "scaling=not_possible");

        Assert.Equal(AlertmanagerConfig.ScalerReceiver, LastLine(scaling));
        Assert.Equal(AlertmanagerConfig.DiscordReceiver, LastLine(other));
        Assert.Equal(AlertmanagerConfig.DiscordReceiver, LastLine(noRoom));
    }

    [Fact]
    public void Alertmanager_receivers_post_to_the_scaler_with_a_password_file()
    {
        var config = Yaml(MonitoringGenerator.AlertmanagerConfigPath);
        var route = (YamlMappingNode)((YamlSequenceNode)((YamlMappingNode)config["route"])["routes"])[0];
        Assert.Equal(["scalecontainer=\"true\""], Values(route, "matchers"));
        Assert.Equal("scaler", Scalar(route, "receiver"));
        Assert.Equal(["alertname", "public_ip", "container_label_com_docker_swarm_service_name"], Values(route, "group_by"));

        var receivers = ((YamlSequenceNode)config["receivers"]).Cast<YamlMappingNode>().ToDictionary(r => Scalar(r, "name"));
        foreach (var (name, url) in new[] { ("scaler", "http://127.0.0.1:9789/api/webhooks/alertmanager"), ("discord", "http://127.0.0.1:9789/api/notify/discord") })
        {
            var webhook = (YamlMappingNode)((YamlSequenceNode)receivers[name]["webhook_configs"])[0];
            var auth = (YamlMappingNode)((YamlMappingNode)webhook["http_config"])["basic_auth"];
            Assert.Equal(url, Scalar(webhook, "url"));
            Assert.Equal("true", Scalar(webhook, "send_resolved"));
            Assert.Equal("alertmanager", Scalar(auth, "username"));
            // The root-only secret reaches Alertmanager as a systemd credential of its unit.
            Assert.Equal("/run/credentials/prometheus-alertmanager.service/scaler-webhook-password", Scalar(auth, "password_file"));
            Assert.False(auth.Children.ContainsKey("password"));
        }
    }

    [Fact]
    public void Prometheus_scrapes_discovery_targets_and_probes_without_credentials_in_urls()
    {
        var config = Yaml(MonitoringGenerator.PrometheusConfigPath);
        var jobs = ((YamlSequenceNode)config["scrape_configs"]).Cast<YamlMappingNode>().ToDictionary(j => Scalar(j, "job_name"));

        Assert.Equal("http://127.0.0.1:9790/sd/targets/node-exporter", Scalar((YamlMappingNode)((YamlSequenceNode)jobs["node-exporter"]["http_sd_configs"])[0], "url"));
        Assert.Equal("http://127.0.0.1:9790/sd/targets/cadvisor", Scalar((YamlMappingNode)((YamlSequenceNode)jobs["cadvisor"]["http_sd_configs"])[0], "url"));
        var dbTargets = ((YamlSequenceNode)jobs["blackbox-db"]["static_configs"]).Cast<YamlMappingNode>().SelectMany(g => Values(g, "targets")).ToArray();
        Assert.Equal(["http://127.0.0.1:9790/probe/mysql/mysql", "http://127.0.0.1:9790/probe/redis/redis"], dbTargets);
        Assert.All(dbTargets, t => Assert.DoesNotContain("password", t, StringComparison.OrdinalIgnoreCase));
        Assert.Equal(["http://" + PublicIp], ((YamlSequenceNode)jobs["blackbox-site"]["static_configs"]).Cast<YamlMappingNode>().SelectMany(g => Values(g, "targets")));
        foreach (var job in new[] { "prometheus", "redis-exporter", "cpanel-exporter", "stackdriver-exporter", "blackbox-exporter", "alertmanager", "grafana", "buzztalk-scaler", "buzztalk-discovery", "buzztalk-deployer" })
        {
            Assert.True(jobs.ContainsKey(job), job);
        }
    }

    [Fact]
    public void Grafana_datasource_dashboard_and_provider_agree_on_uids_and_paths()
    {
        var datasource = (YamlMappingNode)((YamlSequenceNode)Yaml(MonitoringGenerator.GrafanaDatasourcePath)["datasources"])[0];
        Assert.Equal("prometheus", Scalar(datasource, "uid"));
        Assert.Equal("http://127.0.0.1:9090", Scalar(datasource, "url"));

        var provider = (YamlMappingNode)((YamlSequenceNode)Yaml(MonitoringGenerator.GrafanaDashboardProviderPath)["providers"])[0];
        Assert.Equal("/etc/buzztalk/monitoring/grafana/dashboards", Scalar((YamlMappingNode)provider["options"], "path"));

        using var dashboard = JsonDocument.Parse(Content(MonitoringGenerator.GrafanaDashboardPath));
        var root = dashboard.RootElement;
        Assert.Equal("buzztalk", root.GetProperty("uid").GetString());
        Assert.Equal(39, root.GetProperty("schemaVersion").GetInt32());
        var panels = root.GetProperty("panels").EnumerateArray().Where(p => p.GetProperty("type").GetString() != "row").ToArray();
        Assert.True(panels.Length >= 8);
        Assert.Equal(panels.Length + 3, root.GetProperty("panels").EnumerateArray().Select(p => p.GetProperty("id").GetInt32()).Distinct().Count());
        foreach (var panel in panels)
        {
            Assert.Equal("prometheus", panel.GetProperty("datasource").GetProperty("uid").GetString());
            Assert.All(panel.GetProperty("targets").EnumerateArray(), t => Assert.Equal("prometheus", t.GetProperty("datasource").GetProperty("uid").GetString()));
        }

        var exprs = panels.SelectMany(p => p.GetProperty("targets").EnumerateArray()).Select(t => t.GetProperty("expr").GetString()!).ToArray();
        Assert.Contains(exprs, e => e.Contains("buzztalk_scaler_decisions_total", StringComparison.Ordinal));
        Assert.Contains(exprs, e => e.Contains("buzztalk:service_containers:count", StringComparison.Ordinal));
        Assert.Contains(exprs, e => e.Contains("public_ip", StringComparison.Ordinal));
    }

    [Fact]
    public void Grafana_contact_point_posts_to_the_scaler_with_the_password_from_a_file()
    {
        var points = ((YamlSequenceNode)Yaml(MonitoringGenerator.GrafanaContactPointsPath)["contactPoints"]).Cast<YamlMappingNode>().ToDictionary(p => Scalar(p, "name"));
        var receiver = (YamlMappingNode)((YamlSequenceNode)points[GrafanaProvisioning.ScalerContactPoint]["receivers"])[0];
        var settings = (YamlMappingNode)receiver["settings"];

        Assert.Equal("webhook", Scalar(receiver, "type"));
        Assert.Equal("http://127.0.0.1:9789/api/webhooks/grafana", Scalar(settings, "url"));
        Assert.Equal("alertmanager", Scalar(settings, "username"));
        Assert.Equal("$__file{/run/credentials/grafana-server.service/scaler-webhook-password}", Scalar(settings, "password"));

        var policy = (YamlMappingNode)((YamlSequenceNode)Yaml(MonitoringGenerator.GrafanaPoliciesPath)["policies"])[0];
        var route = (YamlMappingNode)((YamlSequenceNode)policy["routes"])[0];
        Assert.Equal(GrafanaProvisioning.ScalerContactPoint, Scalar(route, "receiver"));
        Assert.Equal(["scalecontainer", "=", "true"], ((YamlSequenceNode)((YamlSequenceNode)route["object_matchers"])[0]).Select(n => ((YamlScalarNode)n).Value));
        Assert.True(points.ContainsKey(Scalar(policy, "receiver")));
    }

    [Fact]
    public void Grafana_scaling_rule_mirrors_the_prometheus_rule()
    {
        var group = (YamlMappingNode)((YamlSequenceNode)Yaml(MonitoringGenerator.GrafanaScalingRulesPath)["groups"])[0];
        var rule = (YamlMappingNode)((YamlSequenceNode)group["rules"])[0];
        var data = ((YamlSequenceNode)rule["data"]).Cast<YamlMappingNode>().ToDictionary(d => Scalar(d, "refId"));

        Assert.Equal("60s", Scalar(group, "interval"));
        Assert.Equal("1", Scalar(group, "orgId"));
        Assert.Equal("1m", Scalar(rule, "for"));
        Assert.Equal("KeepLast", Scalar(rule, "noDataState"));
        Assert.Equal("KeepLast", Scalar(rule, "execErrState"));
        Assert.True(data.ContainsKey(Scalar(rule, "condition")));
        Assert.Equal("buzztalk:service_scale_step", Scalar((YamlMappingNode)data["scale_step"]["model"], "expr"));
        Assert.Equal("prometheus", Scalar(data["scale_step"], "datasourceUid"));
        // The refIds the Scaler reads from Grafana's values.
        Assert.True(data.ContainsKey("app_new_containers_number") && data.ContainsKey("app_active_containers") && data.ContainsKey("scale_trigger"));
        var labels = (YamlMappingNode)rule["labels"];
        Assert.Equal("true", Scalar(labels, "scalecontainer"));
        Assert.Equal(YamlDotNet.Core.ScalarStyle.DoubleQuoted, ((YamlScalarNode)labels["scalecontainer"]).Style);
    }

    [Fact]
    public void No_secret_values_only_secret_file_paths()
    {
        var files = MonitoringGenerator.Generate(Settings);
        var passwordKey = PasswordKey();

        foreach (var file in files)
        {
            foreach (Match match in passwordKey.Matches(file.Content))
            {
                var value = match.Groups["value"].Value.Trim().Trim('"');
                Assert.True(value.StartsWith("$__file{/run/credentials/", StringComparison.Ordinal), $"{file.Path}: password value '{value}' is not a secret file reference");
            }

            Assert.DoesNotContain("password=", file.Content, StringComparison.OrdinalIgnoreCase);
            Assert.DoesNotContain("discord.com", file.Content, StringComparison.OrdinalIgnoreCase);
        }

        Assert.Contains("password_file: /run/credentials/prometheus-alertmanager.service/scaler-webhook-password", files.Single(f => f.Path == MonitoringGenerator.AlertmanagerConfigPath).Content, StringComparison.Ordinal);
    }

    [Fact]
    public void Generation_is_deterministic_with_lf_and_a_trailing_newline()
    {
        var first = MonitoringGenerator.Generate(Settings);
        var second = MonitoringGenerator.Generate(Settings with { });

        Assert.Equal(first.Select(f => (f.Path, f.Content)), second.Select(f => (f.Path, f.Content)));
        Assert.Equal(first.Count, first.Select(f => f.Path).Distinct().Count());
        Assert.All(first, f =>
        {
            Assert.StartsWith("monitoring/", f.Path, StringComparison.Ordinal);
            Assert.DoesNotContain('\r', f.Content);
            Assert.EndsWith("\n", f.Content, StringComparison.Ordinal);
            Assert.False(f.Content.EndsWith("\n\n", StringComparison.Ordinal), f.Path);
            Assert.False(f.Executable);
        });
    }

    [Fact]
    public void Ports_and_names_come_from_the_settings()
    {
        var settings = Settings with { Name = "chat", Probes = new("chat-db", "chat-cache"), OpsHost = new OpsHostSettings { ScalerPort = 19789, DiscoveryPort = 19790, AlertmanagerPort = 19093 } };
        var files = MonitoringGenerator.Generate(settings).ToDictionary(f => f.Path, f => f.Content);

        Assert.Contains("http://127.0.0.1:19789/api/webhooks/alertmanager", files[MonitoringGenerator.AlertmanagerConfigPath], StringComparison.Ordinal);
        Assert.Contains("http://127.0.0.1:19790/probe/mysql/chat-db", files[MonitoringGenerator.PrometheusConfigPath], StringComparison.Ordinal);
        Assert.Contains("127.0.0.1:19093", files[MonitoringGenerator.PrometheusConfigPath], StringComparison.Ordinal);
        Assert.Contains("chat_(?:backend|frontend)", files[MonitoringGenerator.ScalingRulesPath], StringComparison.Ordinal);
        Assert.Contains("container_label_com_docker_swarm_service_name: chat_backend", files[MonitoringGenerator.ScalingRulesPath], StringComparison.Ordinal);
    }

    // --- helpers ---

    [Fact]
    public async Task An_instance_off_the_desired_release_for_5_minutes_raises_the_drift_alert_and_one_back_on_it_does_not()
    {
        WriteBundle();
        var rules = Path.Combine(_dir.Path, MonitoringGenerator.AlertRulesPath);
        var test = $$"""
            rule_files:
              - {{rules}}
            evaluation_interval: 1m
            tests:
              - interval: 1m
                input_series:
                  - series: '{{AlertRules.DriftMetric}}{job="buzztalk-deployer", instance="127.0.0.1:9300", instance_name="app-x1"}'
                    values: '1x10'
                  - series: '{{AlertRules.DriftMetric}}{job="buzztalk-deployer", instance="127.0.0.1:9300", instance_name="app-x2"}'
                    values: '1 1 0x8'
                alert_rule_test:
                  - eval_time: 3m
                    alertname: {{AlertRules.DriftAlert}}
                    exp_alerts: []
                  - eval_time: 8m
                    alertname: {{AlertRules.DriftAlert}}
                    exp_alerts:
                      - exp_labels:
                          severity: warning
                          instance_name: app-x1
                        exp_annotations:
                          summary: "Instance app-x1 does not run the desired release"
                          description: "app-x1 has run another release (or waited for its first boot) for 5 minutes: see buzztalk-deployer status."
            """;
        var testPath = Path.Combine(_dir.Path, "drift-test.yml");
        await File.WriteAllTextAsync(testPath, test);

        var (exit, output) = await ToolRun.RunAsync("promtool", _dir.Path, "test", "rules", testPath);

        Assert.True(exit == 0, output);
    }

    private void WriteBundle()
    {
        foreach (var file in MonitoringGenerator.Generate(Settings))
        {
            var path = Path.Combine(_dir.Path, file.Path);
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            File.WriteAllText(path, file.Content);
        }
    }

    private static string Content(string bundlePath) => MonitoringGenerator.Generate(Settings).Single(f => f.Path == bundlePath).Content;

    private static YamlMappingNode Yaml(string bundlePath)
    {
        var stream = new YamlStream();
        stream.Load(new StringReader(Content(bundlePath)));
        return (YamlMappingNode)stream.Documents.Single().RootNode;
    }

    // amtool writes "Warning: --config.file flag overrides the --alertmanager.url." on stderr,
    // which lands before or after the answer in the combined output.
    private static string LastLine(string output) => output
        .Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
        .Last(line => !line.StartsWith("Warning:", StringComparison.Ordinal));

    private static string Scalar(YamlMappingNode map, string key) => ((YamlScalarNode)map[key]).Value!;

    private static string[] Values(YamlMappingNode map, string key) => [.. ((YamlSequenceNode)map[key]).Select(n => ((YamlScalarNode)n).Value!)];

    /// <summary>One instance, two cores, backend containers with the seed's limits and the given CPU use, an idle frontend.</summary>
    private static string Scenario(long memTotal, double backendCpuPerSecond, int backendContainers)
    {
        const int samples = 120; // 30 minutes at 15 s
        var node = $"job=\"node-exporter\", instance=\"{Instance}\", public_ip=\"{PublicIp}\"";
        var series = new StringBuilder();
        void Add(string metric, string labels, string values) =>
            series.Append("      - series: '").Append(metric).Append('{').Append(labels).Append("}'\n        values: '").Append(values).Append("'\n");
        string Inv(double v) => v.ToString("R", System.Globalization.CultureInfo.InvariantCulture);

        Add("node_memory_MemTotal_bytes", node, $"{memTotal}x{samples}");
        Add("node_cpu_seconds_total", node + ", cpu=\"0\", mode=\"idle\"", $"0+10x{samples}");
        Add("node_cpu_seconds_total", node + ", cpu=\"1\", mode=\"idle\"", $"0+10x{samples}");

        void Container(string service, int index, long memLimit, long quota, double cpuPerSecond, long memUsage)
        {
            var labels = $"job=\"cadvisor\", instance=\"{Instance}\", public_ip=\"{PublicIp}\", id=\"/docker/{service}{index}\", "
                + $"name=\"{service}.{index}.task\", image=\"example/{service}:latest\", container_label_com_docker_swarm_service_name=\"{service}\"";
            Add("container_spec_memory_limit_bytes", labels, $"{memLimit}x{samples}");
            Add("container_memory_usage_bytes", labels, $"{memUsage}x{samples}");
            Add("container_spec_cpu_quota", labels, $"{quota}x{samples}");
            Add("container_spec_cpu_period", labels, $"100000x{samples}");
            Add("container_cpu_usage_seconds_total", labels, $"0+{Inv(cpuPerSecond * 15)}x{samples}");
        }

        for (var i = 1; i <= backendContainers; i++)
        {
            Container(Backend, i, 268_435_456, 6000, backendCpuPerSecond, 100_000_000);
        }

        Container(Frontend, 1, 62_914_560, 2500, 0.001, 10_000_000);
        return series.ToString();
    }

    private static (string Name, string? Service, string? Severity, (string, string)[] Labels) Expect(string alert, string? service = null, string? severity = null, params (string, string)[] labels) =>
        (alert, service, severity, labels);

    private async Task<string> RuleTestAsync(string series, params (string Name, string? Service, string? Severity, (string, string)[] Labels)[] expectations)
    {
        var (exit, output) = await RuleTestRunAsync(series, expectations);
        Assert.True(exit == 0, output);
        return output;
    }

    private async Task<(int, string)> RuleTestRunAsync(string series, params (string Name, string? Service, string? Severity, (string, string)[] Labels)[] expectations)
    {
        WriteBundle();
        var rulesPath = Path.Combine(_dir.Path, MonitoringGenerator.ScalingRulesPath);
        var annotations = AnnotationTemplates(Yaml(MonitoringGenerator.ScalingRulesPath));
        var test = new StringBuilder();
        test.Append("rule_files:\n  - ").Append(rulesPath).Append('\n');
        test.Append("evaluation_interval: 1m\ntests:\n  - interval: 15s\n    input_series:\n").Append(series);
        test.Append("    alert_rule_test:\n");
        foreach (var (name, service, severity, labels) in expectations)
        {
            test.Append("      - eval_time: 25m\n        alertname: ").Append(name).Append('\n');
            if (service is null)
            {
                test.Append("        exp_alerts: []\n");
                continue;
            }

            var all = new SortedDictionary<string, string>(StringComparer.Ordinal)
            {
                ["instance"] = Instance,
                ["public_ip"] = PublicIp,
                [MonitoringDefaults.ServiceLabel] = service,
                ["severity"] = severity!,
            };
            foreach (var (key, value) in labels)
            {
                all[key] = value;
            }

            test.Append("        exp_alerts:\n          - exp_labels:\n");
            foreach (var (key, value) in all)
            {
                test.Append("              ").Append(key).Append(": ").Append(JsonSerializer.Serialize(value)).Append('\n');
            }

            test.Append("            exp_annotations:\n");
            foreach (var (key, template) in annotations[name])
            {
                var text = LabelTemplate().Replace(template, m => all[m.Groups[1].Value]);
                test.Append("              ").Append(key).Append(": ").Append(JsonSerializer.Serialize(text)).Append('\n');
            }
        }

        var testPath = Path.Combine(_dir.Path, "scaling-test.yml");
        await File.WriteAllTextAsync(testPath, test.ToString());
        return await ToolRun.RunAsync("promtool", _dir.Path, "test", "rules", testPath);
    }

    private static Dictionary<string, List<(string Key, string Template)>> AnnotationTemplates(YamlMappingNode ruleFile) =>
        ((YamlSequenceNode)ruleFile["groups"]).Cast<YamlMappingNode>()
            .SelectMany(g => ((YamlSequenceNode)g["rules"]).Cast<YamlMappingNode>())
            .Where(r => r.Children.ContainsKey("alert"))
            .ToDictionary(r => Scalar(r, "alert"), r => ((YamlMappingNode)r["annotations"]).Children
                .Select(kv => (((YamlScalarNode)kv.Key).Value!, ((YamlScalarNode)kv.Value).Value!)).ToList());

    [GeneratedRegex(@"\{\{ \$labels\.([a-z_]+) \}\}")]
    private static partial Regex LabelTemplate();

    [GeneratedRegex(@"^\s*password:(?<value>.*)$", RegexOptions.Multiline)]
    private static partial Regex PasswordKey();
}
