namespace BuzzTalk.Publishing.Monitoring;

/// <summary>
/// Values the monitoring bundle needs that <see cref="PublishSettings"/> does not carry: the
/// seed's fixed exporter ports, its scaling thresholds, and where the ops host keeps the files.
/// </summary>
public static class MonitoringDefaults
{
    /// <summary>cPanel exporter on the ops host (seed: :9123).</summary>
    public const int CpanelExporterPort = 9123;

    /// <summary>Stackdriver exporter on the ops host (seed: :9255).</summary>
    public const int StackdriverExporterPort = 9255;

    /// <summary>Memory the seed set aside for the infra containers (node-exporter + cAdvisor), bytes.</summary>
    public const long InfraMemoryReservationBytes = 106_000_000;

    /// <summary>Seed: 15-minute average of memory usage over the limit above which a service is hot.</summary>
    public const double MemoryThreshold = 0.85;

    /// <summary>Seed: 15-minute average of CPU usage over the limit above which a service is hot.</summary>
    public const double CpuThreshold = 0.7;

    /// <summary>Seed: window of the usage averages.</summary>
    public const string UsageWindow = "15m";

    /// <summary>Where the ops host installs the dashboards JSON the Grafana provider reads.</summary>
    public const string GrafanaDashboardsDirectory = MonitoringGenerator.InstalledRoot + "/monitoring/grafana/dashboards";

    /// <summary>Secret file (under the secrets directory) with the Scaler's webhook password.</summary>
    public const string ScalerWebhookPasswordFile = "scaler-webhook-password";

    /// <summary>Grafana datasource uid every panel and alert query uses.</summary>
    public const string DatasourceUid = "prometheus";

    /// <summary>Grafana folder of the dashboard and the provisioned alert rules.</summary>
    public const string GrafanaFolder = "BuzzTalk";

    /// <summary>Label cAdvisor gives a swarm task's container: the stack-qualified service name.</summary>
    public const string ServiceLabel = "container_label_com_docker_swarm_service_name";

    /// <summary>Label Discovery puts on every target; the Scaler finds the host by it.</summary>
    public const string PublicIpLabel = "public_ip";

    /// <summary>Label routing an alert to the Scaler.</summary>
    public const string ScaleContainerLabel = "scalecontainer";

    public const string ScalingLabel = "scaling";

    /// <summary>Alert names other parts (routing, inhibition, tests) refer to.</summary>
    public const string PressureAlert = "BuzzTalkContainerPressure";

    public const string IdleAlert = "BuzzTalkContainerIdle";

    public const string NoRoomAlert = "BuzzTalkContainerNoRoom";

    public const string InstanceDownAlert = "BuzzTalkInstanceDown";

    /// <summary>Scrape job names the rules select on.</summary>
    public const string NodeExporterJob = "node-exporter";

    public const string CadvisorJob = "cadvisor";

    public const string ScalerJob = "buzztalk-scaler";

    public const string DiscoveryJob = "buzztalk-discovery";

    public const string DeployerJob = "buzztalk-deployer";

    public const string SiteProbeJob = "blackbox-site";

    public const string DatabaseProbeJob = "blackbox-db";
}
