using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace BuzzTalk.Publishing.Monitoring;

/// <summary>
/// The BuzzTalk dashboard (uid <c>buzztalk</c>): instances and their public IPs, CPU and memory
/// per instance, per swarm service replicas and usage against the limit, the scaling alerts and
/// the Scaler's decisions. Every query goes to the datasource uid <c>prometheus</c>.
/// </summary>
public static class GrafanaDashboard
{
    public const string Uid = "buzztalk";

    // OpenTelemetry's Prometheus exporter names for the Scaler's instruments (ScalerMetrics):
    // dots become underscores, counters get _total, the "s" unit becomes _seconds.
    public const string ScalerDecisions = "buzztalk_scaler_decisions_total";
    public const string ScalerWebhooks = "buzztalk_scaler_webhooks_total";
    public const string ScalerScaleDuration = "buzztalk_scaler_scale_duration_seconds";

    private static readonly JsonSerializerOptions Options = new()
    {
        WriteIndented = true,
        IndentSize = 2,
        NewLine = "\n",
        // PromQL is full of quotes, +, < and >; keep it readable (the file is not HTML).
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    public static string Json()
    {
        var s = MonitoringDefaults.ServiceLabel;
        var serviceLegend = "{{instance}} {{" + s + "}}";
        var panels = new JsonArray
        {
            Row(1, "Instances", 0),
            Panel(2, "table", "Instances up (node-exporter)", 0, 1, 24, 6,
                [Target("A", $"max by (instance, public_ip, private_ip, zone, instance_id) (up{{job=\"{MonitoringDefaults.NodeExporterJob}\"}})", "", instant: true, table: true)],
                unit: "bool_yes_no"),
            Panel(3, "timeseries", "CPU usage per instance", 0, 7, 12, 8,
                [Target("A", AlertRules.InstanceCpu, "{{instance}} ({{public_ip}})")], unit: "percentunit", max: 1),
            Panel(4, "timeseries", "Memory usage per instance", 12, 7, 12, 8,
                [Target("A", AlertRules.InstanceMemory, "{{instance}} ({{public_ip}})")], unit: "percentunit", max: 1),
            Row(5, "Swarm services", 15),
            Panel(6, "timeseries", "Replicas per service and instance", 0, 16, 8, 8,
                [Target("A", ScalingRules.Containers, serviceLegend), Target("B", ScalingRules.Desired, "wanted: " + serviceLegend)], unit: "none", decimals: 0),
            Panel(7, "timeseries", "Service CPU usage / limit", 8, 16, 8, 8,
                [Target("A", ScalingRules.CpuRatio, serviceLegend), Target("B", ScalingRules.CpuRatioAvg, "15m avg: " + serviceLegend)],
                unit: "percentunit", threshold: MonitoringDefaults.CpuThreshold),
            Panel(8, "timeseries", "Service memory usage / limit", 16, 16, 8, 8,
                [Target("A", ScalingRules.MemoryRatio, serviceLegend), Target("B", ScalingRules.MemoryRatioAvg, "15m avg: " + serviceLegend)],
                unit: "percentunit", threshold: MonitoringDefaults.MemoryThreshold),
            Panel(9, "timeseries", "Room for one more container (CPU / memory)", 0, 24, 12, 8,
                [Target("A", ScalingRules.CanScaleCpu, "cpu: " + serviceLegend), Target("B", ScalingRules.CanScaleMemory, "mem: " + serviceLegend)],
                unit: "none", decimals: 0),
            Panel(10, "table", "Scaling alerts", 12, 24, 12, 8,
                [Target("A", "ALERTS{alertname=~\"BuzzTalkContainer.+\"}", "", instant: true, table: true)], unit: "none"),
            Row(11, "Scaler", 32),
            Panel(12, "timeseries", "Scaler decisions (per 5m)", 0, 33, 12, 8,
                [Target("A", $"sum by (source, direction, result) (increase({ScalerDecisions}[5m]))", "{{direction}} {{result}} ({{source}})")], unit: "none"),
            Panel(13, "timeseries", "Scaler webhooks (per 5m)", 12, 33, 6, 8,
                [Target("A", $"sum by (source, status) (increase({ScalerWebhooks}[5m]))", "{{source}} {{status}}")], unit: "none"),
            Panel(14, "timeseries", "Scale duration p95", 18, 33, 6, 8,
                [Target("A", $"histogram_quantile(0.95, sum by (le, result) (rate({ScalerScaleDuration}_bucket[15m])))", "{{result}}")], unit: "s"),
        };

        var dashboard = new JsonObject
        {
            ["uid"] = Uid,
            ["title"] = "BuzzTalk",
            ["tags"] = new JsonArray("buzztalk"),
            ["timezone"] = "browser",
            ["editable"] = false,
            ["graphTooltip"] = 1,
            ["schemaVersion"] = 39,
            ["version"] = 1,
            ["refresh"] = "30s",
            ["time"] = new JsonObject { ["from"] = "now-6h", ["to"] = "now" },
            ["templating"] = new JsonObject { ["list"] = new JsonArray() },
            ["annotations"] = new JsonObject { ["list"] = new JsonArray() },
            ["links"] = new JsonArray(),
            ["panels"] = panels,
        };
        return dashboard.ToJsonString(Options) + "\n";
    }

    private static JsonObject Datasource() => new() { ["type"] = "prometheus", ["uid"] = MonitoringDefaults.DatasourceUid };

    private static JsonObject Row(int id, string title, int y) => new()
    {
        ["id"] = id,
        ["type"] = "row",
        ["title"] = title,
        ["collapsed"] = false,
        ["gridPos"] = new JsonObject { ["h"] = 1, ["w"] = 24, ["x"] = 0, ["y"] = y },
        ["panels"] = new JsonArray(),
    };

    private static JsonObject Target(string refId, string expr, string legend, bool instant = false, bool table = false) => new()
    {
        ["refId"] = refId,
        ["datasource"] = Datasource(),
        ["expr"] = expr,
        ["legendFormat"] = legend,
        ["instant"] = instant,
        ["range"] = !instant,
        ["format"] = table ? "table" : "time_series",
    };

    private static JsonObject Panel(int id, string type, string title, int x, int y, int w, int h, JsonObject[] targets,
        string unit, double? max = null, double? threshold = null, int? decimals = null)
    {
        var defaults = new JsonObject { ["unit"] = unit };
        if (max is { } m)
        {
            defaults["min"] = 0;
            defaults["max"] = m;
        }

        if (decimals is { } d)
        {
            defaults["decimals"] = d;
        }

        if (threshold is { } t)
        {
            // The scaling threshold drawn as a red line, so the panel shows when the rule fires.
            defaults["thresholds"] = new JsonObject
            {
                ["mode"] = "absolute",
                ["steps"] = new JsonArray(
                    new JsonObject { ["color"] = "green", ["value"] = null },
                    new JsonObject { ["color"] = "red", ["value"] = t }),
            };
            defaults["custom"] = new JsonObject { ["thresholdsStyle"] = new JsonObject { ["mode"] = "line" } };
        }

        return new JsonObject
        {
            ["id"] = id,
            ["type"] = type,
            ["title"] = title,
            ["datasource"] = Datasource(),
            ["gridPos"] = new JsonObject { ["h"] = h, ["w"] = w, ["x"] = x, ["y"] = y },
            ["fieldConfig"] = new JsonObject { ["defaults"] = defaults, ["overrides"] = new JsonArray() },
            ["options"] = type == "table"
                ? new JsonObject { ["showHeader"] = true }
                : new JsonObject { ["legend"] = new JsonObject { ["displayMode"] = "table", ["placement"] = "bottom", ["showLegend"] = true } },
            ["targets"] = new JsonArray([.. targets]),
        };
    }
}
