using YamlDotNet.RepresentationModel;
using static BuzzTalk.Publishing.Monitoring.ScalingRules;
using static BuzzTalk.Publishing.YamlText;

namespace BuzzTalk.Publishing.Monitoring;

/// <summary>
/// Instance and ops-host rules: per-instance usage recorded for the dashboard, and the alerts
/// that go to Discord (through the Scaler's relay): instance or target gone, DB or site probe
/// failing, Scaler or Discovery down, memory or disk running out.
/// </summary>
public static class AlertRules
{
    public const string InstanceCpu = "buzztalk:instance_cpu_usage:ratio";
    public const string InstanceMemory = "buzztalk:instance_memory_usage:ratio";
    public const string InstanceDisk = "buzztalk:instance_root_disk_usage:ratio";

    public const string DriftAlert = "BuzzTalkInstanceDrift";

    /// <summary>Discovery's gauges (meter <c>BuzzTalk.Discovery</c>): serving a restored inventory, and instances left out.</summary>
    public const string DiscoveryStaleMetric = "buzztalk_discovery_stale";

    public const string DiscoveryInvalidMetric = "buzztalk_discovery_instances_invalid";

    /// <summary>The Deployer's gauge (meter <c>BuzzTalk.Deployer</c>) and its instance label.</summary>
    public const string DriftMetric = "buzztalk_deployer_instance_drift";

    public const string DriftInstanceLabel = "instance_name";

    public static IReadOnlyList<YamlMappingNode> Groups()
    {
        var node = $"job=\"{MonitoringDefaults.NodeExporterJob}\"";
        const string by = "instance, " + MonitoringDefaults.PublicIpLabel;
        const string rootFs = "mountpoint=\"/\", fstype!~\"tmpfs|overlay|squashfs\"";
        const string instanceSummary = "{{ $labels.instance }} ({{ $labels.public_ip }})";

        var instances = Map(
            ("name", Str("buzztalk-instances")),
            ("rules", Seq(
                Record(InstanceCpu, $"1 - avg by ({by}) (rate(node_cpu_seconds_total{{{node}, mode=\"idle\"}}[1m]))"),
                Record(InstanceMemory, $"1 - max by ({by}) (node_memory_MemAvailable_bytes{{{node}}}) / max by ({by}) (node_memory_MemTotal_bytes{{{node}}})"),
                Record(InstanceDisk, $"1 - max by ({by}) (node_filesystem_avail_bytes{{{node}, {rootFs}}}) / max by ({by}) (node_filesystem_size_bytes{{{node}, {rootFs}}})"),
                Alert(MonitoringDefaults.InstanceDownAlert, $"up{{{node}}} == 0", "2m", Critical,
                    $"Instance {instanceSummary} is down",
                    "node-exporter on {{ $labels.instance }} has not answered for 2 minutes; a spot instance may have been preempted."),
                Alert("BuzzTalkCadvisorDown", $"up{{job=\"{MonitoringDefaults.CadvisorJob}\"}} == 0", "5m", Warning,
                    $"cAdvisor on {instanceSummary} is down",
                    "Without cAdvisor the container scaling rules have no data for {{ $labels.instance }}."),
                // Discovery serves an empty list when it finds no instance (and keeps the last one on errors).
                Alert("BuzzTalkTargetMissing",
                    $"absent(up{{{node}}}) or absent(up{{job=\"{MonitoringDefaults.CadvisorJob}\"}})", "5m", Critical,
                    "No {{ $labels.job }} target is being scraped",
                    "Discovery lists no instance for job {{ $labels.job }}: the group is empty or Discovery cannot see it."),
                Alert("BuzzTalkInstanceHighMemory", $"{InstanceMemory} > 0.9", "10m", Warning,
                    $"Memory on {instanceSummary} is over 90 %",
                    "{{ $labels.instance }} has used over 90 % of its memory for 10 minutes."),
                Alert("BuzzTalkInstanceDiskFull", $"{InstanceDisk} > 0.85", "10m", Warning,
                    $"Root disk on {instanceSummary} is over 85 %",
                    "{{ $labels.instance }} has used over 85 % of its root file system for 10 minutes."))));

        var ops = Map(
            ("name", Str("buzztalk-ops")),
            ("rules", Seq(
                Alert("BuzzTalkDatabaseDown", $"probe_success{{job=\"{MonitoringDefaults.DatabaseProbeJob}\"}} == 0", "2m", Critical,
                    "{{ $labels.database }} probe is failing",
                    "Discovery's {{ $labels.database }} probe ({{ $labels.instance }}) has failed for 2 minutes: the database is down or unreachable."),
                Alert("BuzzTalkSiteDown", $"probe_success{{job=\"{MonitoringDefaults.SiteProbeJob}\"}} == 0", "5m", Critical,
                    "{{ $labels.instance }} does not answer 200",
                    "The public site {{ $labels.instance }} has failed its HTTP probe for 5 minutes."),
                Alert("BuzzTalkScalerDown", $"up{{job=\"{MonitoringDefaults.ScalerJob}\"}} == 0", "2m", Critical,
                    "The BuzzTalk Scaler is down",
                    "The Scaler has not answered for 2 minutes: no container scaling and no Discord notifications go out (the relay runs in it)."),
                Alert("BuzzTalkDiscoveryDown", $"up{{job=\"{MonitoringDefaults.DiscoveryJob}\"}} == 0", "2m", Critical,
                    "BuzzTalk Discovery is down",
                    "Discovery has not answered for 2 minutes: Prometheus keeps its last target list, and the DB probes fail."),
                Alert("BuzzTalkDiscoveryStale", $"max({DiscoveryStaleMetric}{{job=\"{MonitoringDefaults.DiscoveryJob}\"}}) == 1", "10m", Warning,
                    "Discovery serves an inventory saved before its restart",
                    "Discovery has not completed a refresh since it restarted 10 minutes ago: the targets are those it saved; check its cloud credentials and the Compute API."),
                Alert("BuzzTalkDiscoveryInstancesLeftOut", $"max({DiscoveryInvalidMetric}{{job=\"{MonitoringDefaults.DiscoveryJob}\"}}) > 0", "15m", Warning,
                    "Discovery leaves out instances it cannot use",
                    "Some instances have had no usable address for 15 minutes and are not monitored or deployed to: see buzztalk_discovery_instances_dropped_total for the reasons."),
                // The Deployer compares every instance with the desired release each minute; a boot
                // into it takes well under 5 minutes, so longer means stuck or drifted.
                Alert(DriftAlert, $"max by ({DriftInstanceLabel}) ({DriftMetric}{{job=\"{MonitoringDefaults.DeployerJob}\"}}) > 0", "5m", Warning,
                    "Instance {{ $labels.instance_name }} does not run the desired release",
                    "{{ $labels.instance_name }} has run another release (or waited for its first boot) for 5 minutes: see buzztalk-deployer status."))));

        return [instances, ops];
    }

    private static readonly (string, string)[] Critical = [("severity", "critical")];

    private static readonly (string, string)[] Warning = [("severity", "warning")];
}
