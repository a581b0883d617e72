using System.Globalization;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using static BuzzTalk.Publishing.Terraform.TerraformJson;

namespace BuzzTalk.Publishing.Terraform;

/// <summary>
/// Writes the <c>terraform/*.tf.json</c> part of the publish bundle: the seed's GCP topology (spot
/// e2-micro instances in a regional group behind a global HTTP load balancer) with its defects fixed —
/// templates are content-named so changes roll out, SSH and exporters are open only to the ops host,
/// and the Spot termination action is one the API accepts.
/// </summary>
public static partial class TerraformGenerator
{
    /// <summary>Boot image; an image family so new instances get patched images. The seed ran Ubuntu.</summary>
    public const string DefaultImage = "projects/ubuntu-os-cloud/global/images/family/ubuntu-2204-lts";

    /// <summary>Boot disk of the seed: 10 GB pd-standard.</summary>
    public const int BootDiskSizeGb = 10;

    public const string BootDiskType = "pd-standard";

    /// <summary>Seconds the group waits before auto-healing a new instance: Docker is installed and images
    /// pulled on a shared-core e2-micro before nginx answers, so a short delay would recreate it in a loop.</summary>
    public const int AutoHealingInitialDelaySec = 600;

    public const int HealthCheckIntervalSec = 5;

    public const int HealthCheckUnhealthyThreshold = 2;

    /// <summary>Instances the group may add and remove at once while rolling to a new template (the seed's 3).</summary>
    public const int SeedRollStep = 3;

    /// <summary>Instances a template roll adds at a time: the seed's 3, or the zone count the API requires if larger.</summary>
    public static int RollStep(CloudSettings cloud)
    {
        ArgumentNullException.ThrowIfNull(cloud);
        return Math.Max(SeedRollStep, cloud.ZoneSuffixes.Count);
    }

    // Google's load-balancer health-check source ranges.
    private static readonly string[] HealthCheckSourceRanges = ["130.211.0.0/22", "35.191.0.0/16"];

    private static readonly string[] NetworkTags = ["http-server", "https-server", "lb-health-check", "allow-health-check"];

    private const string HealthCheckTag = "allow-health-check";

    // Paths of the scripts another part of the bundle writes, relative to this module.
    private const string BootstrapScriptPath = "${path.module}/../" + Startup.StartupScriptsGenerator.BootstrapPath;
    private const string InstanceScriptPath = "${path.module}/../" + Startup.StartupScriptsGenerator.InstanceScriptPath;
    private const string ShutdownScriptPath = "${path.module}/../" + Startup.StartupScriptsGenerator.ShutdownScriptPath;

    // Resource addresses (type.label); labels are fixed, GCP names derive from settings.Name.
    private const string Network = "google_compute_network.vpc";
    private const string Subnet = "google_compute_subnetwork.subnet";
    private const string Address = "google_compute_global_address.lb";
    private const string Template = "google_compute_instance_template.app";
    private const string Group = "google_compute_region_instance_group_manager.app";
    private const string Autoscaler = "google_compute_region_autoscaler.app";
    private const string HealthCheck = "google_compute_health_check.http";
    private const string BackendService = "google_compute_backend_service.app";
    private const string UrlMap = "google_compute_url_map.app";
    private const string Proxy = "google_compute_target_http_proxy.app";
    private const string InstanceScript = "google_storage_bucket_object.instance_script";
    private const string EnvSecret = "google_secret_manager_secret.env";
    private const string InstanceSa = "google_service_account.instance";
    private const string DiscoverySa = "google_service_account.prometheus_discovery";
    private const string ExporterSa = "google_service_account.stackdriver_exporter";
    private const string InstanceBucketReader = "google_storage_bucket_iam_member.instance_object_viewer";

    private const string TemplateInputs = "template_inputs";

    // GCP service-account ids are 6-30 characters.
    private const int MaxAccountIdLength = 30;

    public static IReadOnlyList<BundleFile> Generate(PublishSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        Validate(settings);

        return
        [
            File("main", MainFile()),
            File("variables", Variables(settings)),
            File("network", NetworkFile(settings)),
            File("iam", Iam(settings)),
            File("instances", Instances(settings)),
            File("load-balancer", LoadBalancer(settings)),
            File("outputs", Outputs()),
        ];
    }

    private static BundleFile File(string name, JsonObject document) => new($"terraform/{name}.tf.json", Serialize(document));

    private static void Validate(PublishSettings settings)
    {
        var cloud = settings.Cloud;
        if (!GcpName().IsMatch(settings.Name))
        {
            throw new ArgumentException($"Name '{settings.Name}' must be a GCP resource name: lower-case letters, digits and '-', starting with a letter.", nameof(settings));
        }

        foreach (var id in AccountIds(settings))
        {
            if (id.Length > MaxAccountIdLength)
            {
                throw new ArgumentException($"Service account id '{id}' is longer than GCP's {MaxAccountIdLength} characters; use a shorter Name.", nameof(settings));
            }
        }

        if (cloud.ZoneSuffixes.Count == 0)
        {
            throw new ArgumentException("The regional group needs at least one zone.", nameof(settings));
        }

        if (cloud.MinInstances < 0 || cloud.MaxInstances < 1 || cloud.MinInstances > cloud.MaxInstances)
        {
            throw new ArgumentException($"Instance bounds {cloud.MinInstances}..{cloud.MaxInstances} are not a valid autoscaler range.", nameof(settings));
        }
    }

    private static string[] AccountIds(PublishSettings settings) =>
        [$"{settings.Name}-instance", $"{settings.Name}-prometheus-discovery", $"{settings.Name}-stackdriver-exporter"];

    private static string Port(int port) => port.ToString(CultureInfo.InvariantCulture);

    private static string Member(string serviceAccount) => "serviceAccount:" + Ref(serviceAccount, "email");

    private static string Label(string address) => address[(address.IndexOf('.', StringComparison.Ordinal) + 1)..];

    private static string Type(string address) => address[..address.IndexOf('.', StringComparison.Ordinal)];

    private static JsonObject MainFile() => new()
    {
        ["terraform"] = new JsonObject
        {
            ["required_version"] = ">= 1.5",
            ["required_providers"] = new JsonObject
            {
                ["google"] = new JsonObject
                {
                    ["source"] = "hashicorp/google",
                    ["version"] = "~> 6.0",
                },
            },
            // Partial configuration: backends cannot read variables, so bucket and prefix come from
            // `terraform init -backend-config=bucket=... -backend-config=prefix=...`.
            ["backend"] = new JsonObject { ["gcs"] = new JsonObject() },
        },
        ["provider"] = new JsonObject
        {
            ["google"] = new JsonObject
            {
                ["project"] = Var("project"),
                ["region"] = Var("region"),
            },
        },
    };

    private static JsonObject Variables(PublishSettings settings)
    {
        var variables = new JsonObject
        {
            ["project"] = Variable("string", "GCP project id."),
            ["region"] = Variable("string", "Region of the subnet, the instance group and its autoscaler.", settings.Cloud.DefaultRegion),
            ["bucket"] = Variable("string", "Existing bucket holding the instance script and the bundle archive."),
            ["image"] = Variable("string", "Boot image or image family of the instances.", DefaultImage),
            ["backend_image_tag"] = Variable("string", "Backend image tag new instances start with.", settings.BackendService.Image.Tag),
            ["frontend_image_tag"] = Variable("string", "Frontend image tag new instances start with.", settings.SiteService.Image.Tag),
            ["ops_host_cidrs"] = Variable("list(string)", "CIDR ranges of the ops host: the only sources allowed to SSH to instances and scrape their exporters."),
            ["deploy_ssh_public_key"] = Variable("string", $"OpenSSH public key of the '{settings.Cloud.SshUser}' user the Deployer and Scaler log in as."),
            ["registry_secret"] = Variable("string", "Secret Manager secret (name) holding the registry token; empty for public images.", ""),
            ["registry_host"] = Variable("string", "Container registry host to log in to.", "ghcr.io"),
            ["registry_user"] = Variable("string", "Registry user the token belongs to.", ""),
            ["deployer_service_account"] = Variable("string",
                "Email of the account the Deployer runs as (the ops host's): it records the desired release in the bucket and the env secret. Empty: grant it yourself.", ""),
        };

        // An empty list would close SSH entirely and an open range would undo the fix; refuse both at plan time.
        ((JsonObject)variables["ops_host_cidrs"]!)["validation"] = Blocks(new JsonObject
        {
            ["condition"] = "${length(var.ops_host_cidrs) > 0 && alltrue([for c in var.ops_host_cidrs : can(cidrhost(c, 0)) && c != \"0.0.0.0/0\"])}",
            ["error_message"] = "ops_host_cidrs must list at least one CIDR range, none of them 0.0.0.0/0.",
        });

        return new JsonObject { ["variable"] = variables };
    }

    private static JsonObject Variable(string type, string description, string? defaultValue = null)
    {
        var variable = new JsonObject
        {
            ["type"] = type,
            ["description"] = description,
        };
        if (defaultValue is not null)
        {
            variable["default"] = defaultValue;
        }

        return variable;
    }

    private static JsonObject NetworkFile(PublishSettings settings)
    {
        var name = settings.Name;
        return ResourceDocument([
            (Type(Network), Label(Network), new JsonObject
            {
                ["name"] = $"{name}-vpc",
                ["auto_create_subnetworks"] = false,
            }),
            (Type(Subnet), Label(Subnet), new JsonObject
            {
                ["name"] = $"{name}-subnet",
                ["ip_cidr_range"] = settings.Cloud.SubnetCidr,
                ["region"] = Var("region"),
                ["network"] = Ref(Network, "id"),
            }),
            (Type(Address), Label(Address), new JsonObject
            {
                ["name"] = $"{name}-lb-ip",
                ["address_type"] = "EXTERNAL",
                ["ip_version"] = "IPV4",
            }),
            ("google_compute_firewall", "allow_health_check", new JsonObject
            {
                ["name"] = $"{name}-allow-health-check",
                ["network"] = Ref(Network, "id"),
                ["direction"] = "INGRESS",
                ["source_ranges"] = Strings(HealthCheckSourceRanges),
                ["target_tags"] = Strings([HealthCheckTag]),
                ["allow"] = Blocks(Allow(settings.FrontendPort)),
            }),
            // SSH and exporter rules have no target tag: the custom VPC holds only the group's instances.
            ("google_compute_firewall", "allow_ssh_from_ops", new JsonObject
            {
                ["name"] = $"{name}-allow-ssh-from-ops",
                ["network"] = Ref(Network, "id"),
                ["direction"] = "INGRESS",
                ["source_ranges"] = Var("ops_host_cidrs"),
                ["allow"] = Blocks(Allow(22)),
            }),
            ("google_compute_firewall", "allow_exporters_from_ops", new JsonObject
            {
                ["name"] = $"{name}-allow-exporters-from-ops",
                ["network"] = Ref(Network, "id"),
                ["direction"] = "INGRESS",
                ["source_ranges"] = Var("ops_host_cidrs"),
                ["allow"] = Blocks(Allow(settings.NodeExporterPort, settings.CadvisorPort)),
            }),
            .. AppPortsRule(settings, name)]);
    }

    /// <summary>The host ports the app's services publish (external non-HTTP endpoints), open to the world; none, no rule.</summary>
    private static IEnumerable<(string Type, string Name, JsonObject Body)> AppPortsRule(PublishSettings settings, string name)
    {
        var ports = settings.AppPorts;
        if (ports.Count == 0)
        {
            yield break;
        }

        yield return ("google_compute_firewall", "allow_app_ports", new JsonObject
        {
            ["name"] = $"{name}-allow-app-ports",
            ["network"] = Ref(Network, "id"),
            ["direction"] = "INGRESS",
            ["source_ranges"] = Strings(["0.0.0.0/0"]),
            ["allow"] = Blocks([.. ports.GroupBy(p => p.Protocol, StringComparer.Ordinal).OrderBy(g => g.Key, StringComparer.Ordinal)
                .Select(g => new JsonObject
                {
                    ["protocol"] = g.Key,
                    ["ports"] = Strings(g.Select(p => p.Published).Order().Select(Port)),
                })]),
        });
    }

    private static JsonObject Allow(params int[] ports) => new()
    {
        ["protocol"] = "tcp",
        ["ports"] = Strings(ports.Select(Port)),
    };

    private static JsonObject Iam(PublishSettings settings)
    {
        var ids = AccountIds(settings);
        return ResourceDocument(
            (Type(InstanceSa), Label(InstanceSa), ServiceAccount(ids[0], "BuzzTalk instances: read the bucket and registry secret, write logs and metrics.")),
            (Type(DiscoverySa), Label(DiscoverySa), ServiceAccount(ids[1], "Prometheus GCE service discovery on the ops host (read-only compute).")),
            (Type(ExporterSa), Label(ExporterSa), ServiceAccount(ids[2], "Stackdriver exporter on the ops host (read-only monitoring).")),
            (Type(InstanceBucketReader), Label(InstanceBucketReader), new JsonObject
            {
                ["bucket"] = Var("bucket"),
                ["role"] = "roles/storage.objectViewer",
                ["member"] = Member(InstanceSa),
            }),
            ProjectRole("instance_secret_accessor", "roles/secretmanager.secretAccessor", InstanceSa),
            // The desired release's env files: one secret, a version per distinct set; the Deployer
            // (its account, when given) adds versions and reads them back for a rollback, and
            // writes the release record and archives to the bucket.
            (Type(EnvSecret), Label(EnvSecret), new JsonObject
            {
                ["secret_id"] = settings.Cloud.EnvSecret,
                ["replication"] = Blocks(new JsonObject { ["auto"] = Blocks(new JsonObject()) }),
            }),
            DeployerRole("google_secret_manager_secret_iam_member", "deployer_env_version_adder", "roles/secretmanager.secretVersionAdder",
                ("secret_id", Ref(EnvSecret, "secret_id"))),
            DeployerRole("google_secret_manager_secret_iam_member", "deployer_env_accessor", "roles/secretmanager.secretAccessor",
                ("secret_id", Ref(EnvSecret, "secret_id"))),
            DeployerRole("google_storage_bucket_iam_member", "deployer_object_admin", "roles/storage.objectAdmin", ("bucket", Var("bucket"))),
            ProjectRole("instance_log_writer", "roles/logging.logWriter", InstanceSa),
            ProjectRole("instance_metric_writer", "roles/monitoring.metricWriter", InstanceSa),
            ProjectRole("prometheus_discovery_compute_viewer", "roles/compute.viewer", DiscoverySa),
            ProjectRole("stackdriver_exporter_monitoring_viewer", "roles/monitoring.viewer", ExporterSa));
    }

    private static JsonObject ServiceAccount(string accountId, string description) => new()
    {
        ["account_id"] = accountId,
        ["display_name"] = accountId,
        ["description"] = description,
    };

    /// <summary>A role for the Deployer's account on one resource; none when <c>deployer_service_account</c> is empty.</summary>
    private static (string, string, JsonObject) DeployerRole(string type, string label, string role, (string Key, string Value) on) =>
        (type, label, new JsonObject
        {
            ["count"] = "${var.deployer_service_account == \"\" ? 0 : 1}",
            [on.Key] = on.Value,
            ["role"] = role,
            ["member"] = "serviceAccount:${var.deployer_service_account}",
        });

    private static (string, string, JsonObject) ProjectRole(string label, string role, string serviceAccount) =>
        ("google_project_iam_member", label, new JsonObject
        {
            ["project"] = Var("project"),
            ["role"] = role,
            ["member"] = Member(serviceAccount),
        });

    private static JsonObject Instances(PublishSettings settings)
    {
        var cloud = settings.Cloud;
        var template = TemplateBody(settings);

        // Every input of the template, hashed into its name: any change makes a new template and the
        // group's PROACTIVE update policy rolls instances onto it (the seed's `ignore_changes = all`
        // kept old templates forever). The instance script is fetched at boot rather than baked in,
        // so its digest is hashed too: a changed script also reaches the instances.
        var inputs = (JsonObject)template.DeepClone();
        inputs["instance_script_sha256"] = "${filesha256(\"" + InstanceScriptPath + "\")}";

        var named = new JsonObject
        {
            ["name"] = $"{settings.Name}-tpl-" + "${substr(sha256(jsonencode(local." + TemplateInputs + ")), 0, 10)}",
        };
        foreach (var (key, value) in template)
        {
            named[key] = value?.DeepClone();
        }

        named["lifecycle"] = new JsonObject { ["create_before_destroy"] = true };

        var zones = Strings(cloud.ZoneSuffixes.Select(suffix => Var("region") + "-" + suffix));

        // The seed's 3; a regional group rejects a fixed surge/unavailable between 1 and its zone count.
        var rollStep = RollStep(cloud);
        var document = ResourceDocument(
            (Type(InstanceScript), Label(InstanceScript), new JsonObject
            {
                ["bucket"] = Var("bucket"),
                ["name"] = cloud.InstanceScriptObject,
                ["source"] = InstanceScriptPath,
                ["content_type"] = "text/x-shellscript",
            }),
            (Type(Template), Label(Template), named),
            (Type(Group), Label(Group), new JsonObject
            {
                ["name"] = $"{settings.Name}-mig",
                ["base_instance_name"] = settings.Name,
                ["region"] = Var("region"),
                ["distribution_policy_zones"] = zones,
                ["distribution_policy_target_shape"] = "EVEN",
                // No target_size: the autoscaler owns it.
                ["version"] = Blocks(new JsonObject
                {
                    ["name"] = "primary",
                    ["instance_template"] = Ref(Template, "self_link"),
                }),
                ["update_policy"] = Blocks(new JsonObject
                {
                    ["type"] = "PROACTIVE",
                    ["minimal_action"] = "REPLACE",
                    // New instances first, old ones removed only once the new are healthy: a template
                    // roll never leaves the group without a serving instance (0 is allowed for a
                    // regional group; a fixed value above 0 must be at least the zone count).
                    ["max_surge_fixed"] = rollStep,
                    ["max_unavailable_fixed"] = 0,
                    ["instance_redistribution_type"] = "PROACTIVE",
                }),
                ["named_port"] = Blocks(new JsonObject
                {
                    ["name"] = "http",
                    ["port"] = settings.FrontendPort,
                }),
                ["auto_healing_policies"] = Blocks(new JsonObject
                {
                    ["health_check"] = Ref(HealthCheck, "id"),
                    ["initial_delay_sec"] = AutoHealingInitialDelaySec,
                }),
                // A booting instance fetches the script and the registry secret: both must be readable first.
                ["depends_on"] = Strings([InstanceScript, InstanceBucketReader, "google_project_iam_member.instance_secret_accessor"]),
            }),
            (Type(Autoscaler), Label(Autoscaler), new JsonObject
            {
                ["name"] = $"{settings.Name}-autoscaler",
                ["region"] = Var("region"),
                ["target"] = Ref(Group, "id"),
                ["autoscaling_policy"] = Blocks(new JsonObject
                {
                    ["mode"] = "ON",
                    ["min_replicas"] = cloud.MinInstances,
                    ["max_replicas"] = cloud.MaxInstances,
                    ["cooldown_period"] = 360,
                    ["cpu_utilization"] = Blocks(new JsonObject { ["target"] = 0.99 }),
                    ["scale_in_control"] = Blocks(new JsonObject
                    {
                        ["max_scaled_in_replicas"] = Blocks(new JsonObject { ["fixed"] = 1 }),
                        ["time_window_sec"] = 600,
                    }),
                }),
            }));

        // Locals first: the hashed inputs read best above the template that uses them.
        document.Insert(0, "locals", new JsonObject { [TemplateInputs] = inputs });
        return document;
    }

    /// <summary>The instance template's arguments except its name and lifecycle (those are not inputs).</summary>
    private static JsonObject TemplateBody(PublishSettings settings)
    {
        var cloud = settings.Cloud;
        return new JsonObject
        {
            ["machine_type"] = cloud.MachineType,
            ["tags"] = Strings(NetworkTags),
            ["scheduling"] = Blocks(new JsonObject
            {
                ["preemptible"] = true,
                ["provisioning_model"] = "SPOT",
                ["automatic_restart"] = false,
                ["on_host_maintenance"] = "TERMINATE",
                // The seed wrote REPLACE, which the API rejects (it accepts STOP or DELETE). DELETE lets
                // the managed group recreate a preempted instance; STOP would leave it stopped.
                ["instance_termination_action"] = "DELETE",
            }),
            ["disk"] = Blocks(new JsonObject
            {
                ["boot"] = true,
                ["auto_delete"] = true,
                ["source_image"] = Var("image"),
                ["disk_size_gb"] = BootDiskSizeGb,
                ["disk_type"] = BootDiskType,
            }),
            ["network_interface"] = Blocks(new JsonObject
            {
                ["network"] = Ref(Network, "id"),
                ["subnetwork"] = Ref(Subnet, "id"),
                // Ephemeral public IP: instances pull images and are reached by the ops host directly.
                ["access_config"] = Blocks(new JsonObject { ["network_tier"] = "PREMIUM" }),
            }),
            ["service_account"] = Blocks(new JsonObject
            {
                ["email"] = Ref(InstanceSa, "email"),
                ["scopes"] = Strings(["cloud-platform"]),
            }),
            ["metadata"] = new JsonObject
            {
                [InstanceMetadataKeys.StartupScript] = "${file(\"" + BootstrapScriptPath + "\")}",
                // Run by GCE at a preemption notice (about 30 s) or any stop: drain, then stop the backends.
                [InstanceMetadataKeys.ShutdownScript] = "${file(\"" + ShutdownScriptPath + "\")}",
                [InstanceMetadataKeys.SshKeys] = $"{cloud.SshUser}:{Var("deploy_ssh_public_key")}",
                [InstanceMetadataKeys.Bucket] = Var("bucket"),
                [InstanceMetadataKeys.InstanceScriptObject] = cloud.InstanceScriptObject,
                [InstanceMetadataKeys.BundleObject] = cloud.BundleObject,
                [InstanceMetadataKeys.RegistrySecret] = Var("registry_secret"),
                [InstanceMetadataKeys.RegistryHost] = Var("registry_host"),
                [InstanceMetadataKeys.RegistryUser] = Var("registry_user"),
                [InstanceMetadataKeys.BackendImageTag] = Var("backend_image_tag"),
                [InstanceMetadataKeys.FrontendImageTag] = Var("frontend_image_tag"),
                [InstanceMetadataKeys.EnableGuestAttributes] = "TRUE",
            },
        };
    }

    private static JsonObject LoadBalancer(PublishSettings settings)
    {
        var name = settings.Name;
        return ResourceDocument(
            (Type(HealthCheck), Label(HealthCheck), new JsonObject
            {
                ["name"] = $"{name}-http-health-check",
                ["check_interval_sec"] = HealthCheckIntervalSec,
                ["timeout_sec"] = 5,
                ["healthy_threshold"] = 2,
                ["unhealthy_threshold"] = HealthCheckUnhealthyThreshold,
                ["http_health_check"] = Blocks(new JsonObject
                {
                    ["port"] = settings.FrontendPort,
                    // Through nginx to a backend of the release: an instance counts as healthy (for the
                    // balancer, the roll and autohealing) only once its release serves, not when nginx
                    // alone answers.
                    ["request_path"] = settings.BackendHealthPath,
                }),
            }),
            (Type(BackendService), Label(BackendService), new JsonObject
            {
                ["name"] = $"{name}-backend-service",
                ["protocol"] = "HTTP",
                ["port_name"] = "http",
                ["load_balancing_scheme"] = "EXTERNAL_MANAGED",
                ["locality_lb_policy"] = "ROUND_ROBIN",
                ["timeout_sec"] = 30,
                ["connection_draining_timeout_sec"] = 300,
                ["health_checks"] = Strings([Ref(HealthCheck, "id")]),
                ["backend"] = Blocks(new JsonObject
                {
                    ["group"] = Ref(Group, "instance_group"),
                    ["balancing_mode"] = "UTILIZATION",
                    ["max_utilization"] = 0.8,
                    ["capacity_scaler"] = 1,
                }),
            }),
            (Type(UrlMap), Label(UrlMap), new JsonObject
            {
                ["name"] = $"{name}-url-map",
                ["default_service"] = Ref(BackendService, "id"),
            }),
            (Type(Proxy), Label(Proxy), new JsonObject
            {
                ["name"] = $"{name}-http-proxy",
                ["url_map"] = Ref(UrlMap, "id"),
            }),
            ("google_compute_global_forwarding_rule", "http", new JsonObject
            {
                ["name"] = $"{name}-http-forwarding-rule",
                ["target"] = Ref(Proxy, "id"),
                ["ip_address"] = Ref(Address, "id"),
                ["ip_protocol"] = "TCP",
                ["port_range"] = "80",
                ["load_balancing_scheme"] = "EXTERNAL_MANAGED",
            }));
    }

    private static JsonObject Outputs() => new()
    {
        ["output"] = new JsonObject
        {
            ["lb_ip_address"] = Output(Ref(Address, "address"), "Static external IP of the load balancer (the site's address)."),
            ["instance_group_manager_name"] = Output(Ref(Group, "name"), "Name of the regional managed instance group."),
            ["instance_group_manager_self_link"] = Output(Ref(Group, "self_link"), "Self link of the regional managed instance group."),
            ["instance_group"] = Output(Ref(Group, "instance_group"), "Instance group URL the load balancer's backend uses."),
            ["instance_template_name"] = Output(Ref(Template, "name"), "Name of the current (content-hashed) instance template."),
            ["instance_service_account_email"] = Output(Ref(InstanceSa, "email"), "Service account the instances run as."),
            ["prometheus_discovery_service_account_email"] = Output(Ref(DiscoverySa, "email"), "Service account for Prometheus GCE discovery."),
            ["stackdriver_exporter_service_account_email"] = Output(Ref(ExporterSa, "email"), "Service account for the Stackdriver exporter."),
        },
    };

    private static JsonObject Output(string value, string description) => new()
    {
        ["description"] = description,
        ["value"] = value,
    };

    [GeneratedRegex("^[a-z]([-a-z0-9]*[a-z0-9])?$", RegexOptions.CultureInvariant)]
    private static partial Regex GcpName();
}
