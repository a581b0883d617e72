using System.Globalization;
using System.Text.RegularExpressions;
using YamlDotNet.RepresentationModel;
using static BuzzTalk.Publishing.YamlText;

namespace BuzzTalk.Publishing.Monitoring;

/// <summary>
/// The seed's Grafana scaling math (ORIGINAL-BEHAVIOUR.md, "Container scaling") as Prometheus
/// recording rules per (instance, public_ip, swarm service), and the alerts the Scaler and the
/// operators receive. One group, so each evaluation sees the values recorded just before it.
/// Differences from the seed: the node's real CPU count instead of a hard-coded 0.25, and a
/// separate not-routed alert when the service is hot but the node has no room.
/// </summary>
public static partial class ScalingRules
{
    public const string GroupName = "buzztalk-container-scaling";

    // Recorded series (also read by the dashboard and the Grafana rule).
    public const string Containers = "buzztalk:service_containers:count";
    public const string DesiredPerInstance = "buzztalk:service_desired_containers:per_instance";
    public const string Desired = "buzztalk:service_desired_containers:count";
    public const string MemoryRatio = "buzztalk:service_memory_usage:ratio";
    public const string CpuRatio = "buzztalk:service_cpu_usage:ratio";
    public const string MemoryRatioAvg = "buzztalk:service_memory_usage:ratio_avg15m";
    public const string CpuRatioAvg = "buzztalk:service_cpu_usage:ratio_avg15m";
    public const string ContainerMemoryLimit = "buzztalk:service_container_memory_limit:bytes";
    public const string ContainerCpuLimit = "buzztalk:service_container_cpu_limit:cores";
    public const string NodeMemory = "buzztalk:node_memory_total:bytes";
    public const string NodeCpus = "buzztalk:node_cpus:count";
    public const string NodeAppMemoryLimits = "buzztalk:node_app_memory_limits:bytes";
    public const string NodeCpuLimits = "buzztalk:node_container_cpu_limits:cores";
    public const string CanScaleMemory = "buzztalk:service_can_scale_memory:containers";
    public const string CanScaleCpu = "buzztalk:service_can_scale_cpu:containers";
    public const string OverThreshold = "buzztalk:service_over_threshold:bool";
    public const string ScaleStep = "buzztalk:service_scale_step";

    private const string NodeBy = "instance, " + MonitoringDefaults.PublicIpLabel;
    private const string ServiceBy = NodeBy + ", " + MonitoringDefaults.ServiceLabel;

    /// <summary>The swarm service names (<c>&lt;stack&gt;_&lt;service&gt;</c>) of the app's scaled services, from the model: the chat backend and the site's service.</summary>
    public static string BackendService(PublishSettings settings) => $"{settings.Name}_{settings.BackendService.Name}";

    public static string FrontendService(PublishSettings settings) => $"{settings.Name}_{settings.SiteService.Name}";

    public static YamlMappingNode Group(PublishSettings settings)
    {
        // Service names are [a-z][a-z0-9-]*: nothing in them is special in a regex.
        var app = $"{MonitoringDefaults.ServiceLabel}=~\"{StackName(settings)}_(?:{settings.BackendService.Name}|{settings.SiteService.Name})\"";
        var cadvisor = $"job=\"{MonitoringDefaults.CadvisorJob}\"";
        var node = $"job=\"{MonitoringDefaults.NodeExporterJob}\"";
        var s = MonitoringDefaults.ServiceLabel;
        var window = MonitoringDefaults.UsageWindow;

        return Map(
            ("name", Str(GroupName)),
            ("rules", Seq(
                // What runs: one series per container of each app service.
                Record(Containers, $"count by ({ServiceBy}) (container_spec_memory_limit_bytes{{{cadvisor}, {app}}})"),
                Record(DesiredPerInstance, $"vector({Invariant(settings.BackendService.Replicas)})", (s, BackendService(settings))),
                Record(DesiredPerInstance, $"vector({Invariant(settings.SiteService.Replicas)})", (s, FrontendService(settings))),
                Record(Desired, $"{Containers} * 0 + on ({s}) group_left {DesiredPerInstance}"),

                // Usage over the limit, summed over the service's containers on the instance.
                Record(MemoryRatio,
                    $"sum by ({ServiceBy}) (container_memory_usage_bytes{{{cadvisor}, {app}}}) / sum by ({ServiceBy}) (container_spec_memory_limit_bytes{{{cadvisor}, {app}}} > 0)"),
                Record(CpuRatio,
                    $"sum by ({ServiceBy}) (rate(container_cpu_usage_seconds_total{{{cadvisor}, {app}}}[1m])) / sum by ({ServiceBy}) ((container_spec_cpu_quota{{{cadvisor}, {app}}} > 0) / container_spec_cpu_period{{{cadvisor}, {app}}})"),
                Record(MemoryRatioAvg, $"avg_over_time({MemoryRatio}[{window}])"),
                Record(CpuRatioAvg, $"avg_over_time({CpuRatio}[{window}])"),

                // One more container's limits, and what the node has.
                Record(ContainerMemoryLimit, $"max by ({ServiceBy}) (container_spec_memory_limit_bytes{{{cadvisor}, {app}}} > 0)"),
                Record(ContainerCpuLimit,
                    $"max by ({ServiceBy}) ((container_spec_cpu_quota{{{cadvisor}, {app}}} > 0) / container_spec_cpu_period{{{cadvisor}, {app}}})"),
                Record(NodeMemory, $"max by ({NodeBy}) (node_memory_MemTotal_bytes{{{node}}})"),
                Record(NodeCpus, $"count by ({NodeBy}) (node_cpu_seconds_total{{{node}, mode=\"idle\"}})"),
                Record(NodeAppMemoryLimits, $"sum by ({NodeBy}) (container_spec_memory_limit_bytes{{{cadvisor}, {app}}})"),
                // Every container's CPU limit counts (infra included), as in the seed.
                Record(NodeCpuLimits,
                    $"sum by ({NodeBy}) ((container_spec_cpu_quota{{{cadvisor}, image!=\"\"}} > 0) / container_spec_cpu_period{{{cadvisor}, image!=\"\"}})"),
                Record(CanScaleMemory,
                    $"floor(({NodeMemory} - {NodeAppMemoryLimits} - {Invariant(MonitoringDefaults.InfraMemoryReservationBytes)}) / on ({NodeBy}) group_right {ContainerMemoryLimit})"),
                Record(CanScaleCpu, $"floor(({NodeCpus} - {NodeCpuLimits}) / on ({NodeBy}) group_right {ContainerCpuLimit})"),

                // 1 when either 15-minute average is over its threshold, else 0.
                Record(OverThreshold,
                    $"(({CpuRatioAvg} > {Invariant(MonitoringDefaults.CpuThreshold)} or {MemoryRatioAvg} > {Invariant(MonitoringDefaults.MemoryThreshold)}) * 0 + 1) or {Containers} * 0"),

                // The seed's decision as a step: +1 when there is room for one more and it is hot
                // (or fewer run than wanted); -1 when it is not hot and more run than wanted; else 0.
                // The seed's trigger is exactly "step != 0".
                Record(ScaleStep,
                    $"({Containers} * 0 + 1 and {CanScaleCpu} >= 1 and {CanScaleMemory} >= 1 and ({OverThreshold} == 1 or {Containers} < {Desired}))"
                    + $" or ({Containers} * 0 - 1 and {OverThreshold} == 0 and {Containers} > {Desired})"
                    + $" or {Containers} * 0"),

                ScaleAlert(MonitoringDefaults.PressureAlert, $"{ScaleStep} > 0", "up",
                    "{{ $labels." + s + " }} on {{ $labels.instance }} needs one more container",
                    "Over 15 minutes {{ $labels." + s + " }} on {{ $labels.instance }} ({{ $labels.public_ip }}) used more than "
                    + Percent(MonitoringDefaults.CpuThreshold) + " of its CPU limit or " + Percent(MonitoringDefaults.MemoryThreshold)
                    + " of its memory limit (or fewer containers run than wanted), and the node has room for another."),
                ScaleAlert(MonitoringDefaults.IdleAlert, $"{ScaleStep} < 0", "down",
                    "{{ $labels." + s + " }} on {{ $labels.instance }} can lose a container",
                    "{{ $labels." + s + " }} on {{ $labels.instance }} ({{ $labels.public_ip }}) stayed under its thresholds for 15 minutes with more containers than wanted."),
                // Not routed to the Scaler (no scalecontainer label): it could not act on it.
                Alert(MonitoringDefaults.NoRoomAlert,
                    $"{OverThreshold} == 1 unless on ({ServiceBy}) ({CanScaleCpu} >= 1 and {CanScaleMemory} >= 1)",
                    "5m",
                    [("severity", "warning"), (MonitoringDefaults.ScalingLabel, "not_possible")],
                    "{{ $labels." + s + " }} on {{ $labels.instance }} is under pressure but the node has no room",
                    "{{ $labels." + s + " }} on {{ $labels.instance }} ({{ $labels.public_ip }}) is over its thresholds and one more container would not fit the node's CPU or memory; add instances or raise the limits."))));
    }

    // Routed to the Scaler, which reads public_ip and the service label and measures the rest itself.
    private static YamlMappingNode ScaleAlert(string name, string expr, string scaling, string summary, string description) =>
        Alert(name, expr, "1m", [("severity", "info"), (MonitoringDefaults.ScaleContainerLabel, "true"), (MonitoringDefaults.ScalingLabel, scaling)], summary, description);

    internal static YamlMappingNode Record(string name, string expr, params (string Name, string Value)[] labels) => Map(
        ("record", Str(name)),
        ("expr", Str(expr)),
        ("labels", labels.Length == 0 ? null : Map([.. labels.Select(l => (l.Name, (YamlNode?)Str(l.Value)))])));

    internal static YamlMappingNode Alert(string name, string expr, string forDuration, (string Name, string Value)[] labels, string summary, string description) => Map(
        ("alert", Str(name)),
        ("expr", Str(expr)),
        ("for", Str(forDuration)),
        ("labels", Map([.. labels.Select(l => (l.Name, (YamlNode?)Str(l.Value)))])),
        ("annotations", Map(("summary", Str(summary)), ("description", Str(description)))));

    // The stack name goes into a PromQL regex inside a quoted string; a swarm stack name has no
    // characters that need escaping there, and anything else is refused rather than escaped.
    private static string StackName(PublishSettings settings) =>
        StackNamePattern().IsMatch(settings.Name)
            ? settings.Name
            : throw new ArgumentException($"Stack name '{settings.Name}' must match {StackNamePattern()}.", nameof(settings));

    [GeneratedRegex("^[a-z0-9][a-z0-9_-]*$")]
    private static partial Regex StackNamePattern();

    private static string Invariant(double value) => value.ToString("R", CultureInfo.InvariantCulture);

    private static string Invariant(long value) => value.ToString(CultureInfo.InvariantCulture);

    private static string Percent(double ratio) => (ratio * 100).ToString("0", CultureInfo.InvariantCulture) + " %";
}
