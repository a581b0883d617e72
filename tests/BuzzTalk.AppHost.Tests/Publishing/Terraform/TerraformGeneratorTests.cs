using System.Text.Json.Nodes;
using BuzzTalk.AppHost.Publish;
using BuzzTalk.Publishing;
using BuzzTalk.Publishing.SpotFleet;
using BuzzTalk.Publishing.Terraform;

namespace BuzzTalk.AppHost.Tests.Publishing.Terraform;

public sealed class TerraformGeneratorTests
{
    private static readonly PublishSettings Seed = PublishedModel.Settings("http://203.0.113.10");

    private static readonly string[] ExpectedFiles =
    [
        "terraform/main.tf.json",
        "terraform/variables.tf.json",
        "terraform/network.tf.json",
        "terraform/iam.tf.json",
        "terraform/instances.tf.json",
        "terraform/load-balancer.tf.json",
        "terraform/outputs.tf.json",
    ];

    private static Dictionary<string, JsonObject> Documents(PublishSettings? settings = null) =>
        TerraformGenerator.Generate(settings ?? Seed).ToDictionary(f => f.Path, f => JsonNode.Parse(f.Content)!.AsObject(), StringComparer.Ordinal);

    private static JsonObject Resource(string type, string name, PublishSettings? settings = null)
    {
        var matches = Documents(settings).Values
            .Select(d => d["resource"]?[type]?[name])
            .OfType<JsonObject>()
            .ToList();
        return Assert.Single(matches);
    }

    // Nested blocks are written as arrays of one object.
    private static JsonObject Block(JsonNode? parent, string key) =>
        Assert.IsType<JsonObject>(Assert.Single(Assert.IsType<JsonArray>(parent![key])));

    private static string Str(JsonNode? node) => node!.GetValue<string>();

    private static string[] Strs(JsonNode? node) => [.. node!.AsArray().Select(Str)];

    private static JsonObject Template() => Resource("google_compute_instance_template", "app");

    [Fact]
    public void The_bundle_holds_the_terraform_json_files_split_by_concern()
    {
        var files = TerraformGenerator.Generate(Seed);

        Assert.Equal(ExpectedFiles, files.Select(f => f.Path));
        string[] allowedTopLevel = ["terraform", "provider", "variable", "locals", "resource", "output"];
        foreach (var file in files)
        {
            Assert.False(file.Executable);
            Assert.DoesNotContain('\r', file.Content);
            Assert.EndsWith("}\n", file.Content, StringComparison.Ordinal);
            Assert.False(file.Content.EndsWith("\n\n", StringComparison.Ordinal), file.Path);
            var doc = JsonNode.Parse(file.Content)!.AsObject();
            Assert.NotEmpty(doc);
            Assert.All(doc, p => Assert.Contains(p.Key, allowedTopLevel));
        }
    }

    [Fact]
    public void Two_generations_are_byte_identical()
    {
        var first = TerraformGenerator.Generate(Seed);
        var second = TerraformGenerator.Generate(PublishedModel.Settings("http://203.0.113.10"));

        Assert.Equal(first, second);
    }

    [Fact]
    public void A_different_machine_type_changes_the_template_and_its_hashed_inputs()
    {
        var other = Seed with { Cloud = Seed.Cloud with { MachineType = "e2-small" } };

        var seedText = TerraformGenerator.Generate(Seed).Single(f => f.Path == "terraform/instances.tf.json").Content;
        var otherText = TerraformGenerator.Generate(other).Single(f => f.Path == "terraform/instances.tf.json").Content;

        Assert.NotEqual(seedText, otherText);
        var otherDoc = Documents(other)["terraform/instances.tf.json"];
        Assert.Equal("e2-small", Str(otherDoc["resource"]!["google_compute_instance_template"]!["app"]!["machine_type"]));
        Assert.Equal("e2-small", Str(otherDoc["locals"]!["template_inputs"]!["machine_type"]));
    }

    [Fact]
    public void Terraform_block_pins_the_google_provider_and_leaves_the_gcs_backend_to_init()
    {
        var main = Documents()["terraform/main.tf.json"];
        var terraform = main["terraform"]!;

        Assert.Equal(">= 1.5", Str(terraform["required_version"]));
        Assert.Equal("hashicorp/google", Str(terraform["required_providers"]!["google"]!["source"]));
        Assert.Equal("~> 6.0", Str(terraform["required_providers"]!["google"]!["version"]));
        Assert.Empty(Assert.IsType<JsonObject>(terraform["backend"]!["gcs"]));
        Assert.Equal("${var.project}", Str(main["provider"]!["google"]!["project"]));
        Assert.Equal("${var.region}", Str(main["provider"]!["google"]!["region"]));
    }

    [Fact]
    public void Variables_have_the_documented_types_and_defaults()
    {
        var variables = Documents()["terraform/variables.tf.json"]["variable"]!.AsObject();

        foreach (var required in new[] { "project", "bucket", "ops_host_cidrs", "deploy_ssh_public_key" })
        {
            Assert.Null(variables[required]!["default"]);
        }

        Assert.Equal("us-central1", Str(variables["region"]!["default"]));
        Assert.Equal("latest", Str(variables["backend_image_tag"]!["default"]));
        Assert.Equal("latest", Str(variables["frontend_image_tag"]!["default"]));
        Assert.Equal("", Str(variables["registry_secret"]!["default"]));
        Assert.Equal("ghcr.io", Str(variables["registry_host"]!["default"]));
        Assert.Equal("", Str(variables["registry_user"]!["default"]));
        Assert.Equal("list(string)", Str(variables["ops_host_cidrs"]!["type"]));
        Assert.Matches("^projects/(ubuntu-os-cloud|debian-cloud)/global/images/family/(ubuntu-2204-lts|debian-12)$", Str(variables["image"]!["default"]));
        var validation = Str(Block(variables["ops_host_cidrs"], "validation")["condition"]);
        Assert.Contains("length(var.ops_host_cidrs) > 0", validation, StringComparison.Ordinal);
        Assert.Contains("\"0.0.0.0/0\"", validation, StringComparison.Ordinal);
    }

    [Fact]
    public void Network_is_a_custom_vpc_with_the_seed_subnet_and_a_global_static_ip()
    {
        var vpc = Resource("google_compute_network", "vpc");
        var subnet = Resource("google_compute_subnetwork", "subnet");
        var address = Resource("google_compute_global_address", "lb");

        Assert.Equal("buzztalk-vpc", Str(vpc["name"]));
        Assert.False(vpc["auto_create_subnetworks"]!.GetValue<bool>());
        Assert.Equal("10.0.0.0/16", Str(subnet["ip_cidr_range"]));
        Assert.Equal("${var.region}", Str(subnet["region"]));
        Assert.Equal("${google_compute_network.vpc.id}", Str(subnet["network"]));
        Assert.Equal("EXTERNAL", Str(address["address_type"]));
    }

    [Fact]
    public void Health_check_firewall_admits_only_google_ranges_on_port_80_to_the_tag()
    {
        var rule = Resource("google_compute_firewall", "allow_health_check");
        var allow = Block(rule, "allow");

        Assert.Equal(["130.211.0.0/22", "35.191.0.0/16"], Strs(rule["source_ranges"]));
        Assert.Equal(["allow-health-check"], Strs(rule["target_tags"]));
        Assert.Equal("tcp", Str(allow["protocol"]));
        Assert.Equal(["80"], Strs(allow["ports"]));
        Assert.Equal("${google_compute_network.vpc.id}", Str(rule["network"]));
    }

    [Fact]
    public void Ssh_and_exporters_are_open_only_to_the_ops_host()
    {
        var ssh = Resource("google_compute_firewall", "allow_ssh_from_ops");
        var exporters = Resource("google_compute_firewall", "allow_exporters_from_ops");

        Assert.Equal("${var.ops_host_cidrs}", Str(ssh["source_ranges"]));
        Assert.Equal(["22"], Strs(Block(ssh, "allow")["ports"]));
        Assert.Equal("${var.ops_host_cidrs}", Str(exporters["source_ranges"]));
        Assert.Equal(["9100", "8080"], Strs(Block(exporters, "allow")["ports"]));

        var network = TerraformGenerator.Generate(Seed).Single(f => f.Path == "terraform/network.tf.json").Content;
        Assert.DoesNotContain("0.0.0.0/0", network, StringComparison.Ordinal);
    }

    [Fact]
    public void Exporter_ports_come_from_the_settings()
    {
        var settings = Seed with { NodeExporterPort = 19100, CadvisorPort = 18080 };

        var exporters = Resource("google_compute_firewall", "allow_exporters_from_ops", settings);

        Assert.Equal(["19100", "18080"], Strs(Block(exporters, "allow")["ports"]));
    }

    [Fact]
    public void Template_is_a_spot_e2_micro_with_a_10_gb_standard_disk()
    {
        var template = Template();
        var scheduling = Block(template, "scheduling");
        var disk = Block(template, "disk");

        Assert.Equal("e2-micro", Str(template["machine_type"]));
        Assert.True(scheduling["preemptible"]!.GetValue<bool>());
        Assert.Equal("SPOT", Str(scheduling["provisioning_model"]));
        Assert.False(scheduling["automatic_restart"]!.GetValue<bool>());
        Assert.Equal("TERMINATE", Str(scheduling["on_host_maintenance"]));
        // The API accepts STOP or DELETE only; the seed's REPLACE is rejected.
        Assert.Equal("DELETE", Str(scheduling["instance_termination_action"]));
        Assert.True(disk["boot"]!.GetValue<bool>());
        Assert.Equal(10, disk["disk_size_gb"]!.GetValue<int>());
        Assert.Equal("pd-standard", Str(disk["disk_type"]));
        Assert.Equal("${var.image}", Str(disk["source_image"]));
    }

    [Fact]
    public void Template_has_the_seed_tags_a_premium_public_ip_and_the_instance_account_with_cloud_platform_scope()
    {
        var template = Template();
        var nic = Block(template, "network_interface");
        var account = Block(template, "service_account");

        Assert.Equal(["http-server", "https-server", "lb-health-check", "allow-health-check"], Strs(template["tags"]));
        Assert.Equal("${google_compute_subnetwork.subnet.id}", Str(nic["subnetwork"]));
        Assert.Equal("PREMIUM", Str(Block(nic, "access_config")["network_tier"]));
        Assert.Equal("${google_service_account.instance.email}", Str(account["email"]));
        Assert.Equal(["cloud-platform"], Strs(account["scopes"]));
    }

    [Fact]
    public void Template_metadata_carries_every_key_the_startup_scripts_read()
    {
        var metadata = Template()["metadata"]!.AsObject();

        var expected = new Dictionary<string, string>
        {
            [InstanceMetadataKeys.StartupScript] = "${file(\"${path.module}/../startup/bootstrap.sh\")}",
            [InstanceMetadataKeys.ShutdownScript] = "${file(\"${path.module}/../startup/shutdown.sh\")}",
            [InstanceMetadataKeys.SshKeys] = "deploy:${var.deploy_ssh_public_key}",
            [InstanceMetadataKeys.Bucket] = "${var.bucket}",
            [InstanceMetadataKeys.InstanceScriptObject] = "startup/instance.sh",
            [InstanceMetadataKeys.BundleObject] = "bundle/buzztalk-bundle.tar.gz",
            [InstanceMetadataKeys.RegistrySecret] = "${var.registry_secret}",
            [InstanceMetadataKeys.RegistryHost] = "${var.registry_host}",
            [InstanceMetadataKeys.RegistryUser] = "${var.registry_user}",
            [InstanceMetadataKeys.BackendImageTag] = "${var.backend_image_tag}",
            [InstanceMetadataKeys.FrontendImageTag] = "${var.frontend_image_tag}",
            [InstanceMetadataKeys.EnableGuestAttributes] = "TRUE",
        };
        Assert.Equal(expected.OrderBy(p => p.Key, StringComparer.Ordinal), metadata.Select(p => KeyValuePair.Create(p.Key, Str(p.Value))).OrderBy(p => p.Key, StringComparer.Ordinal));

        // Every constant of InstanceMetadataKeys is set, so a key added there fails here until Terraform sets it.
        var declared = typeof(InstanceMetadataKeys).GetFields().Where(f => f.IsLiteral).Select(f => (string)f.GetRawConstantValue()!);
        Assert.All(declared, key => Assert.True(metadata.ContainsKey(key), key));
    }

    [Fact]
    public void Ssh_user_in_the_keys_metadata_comes_from_the_settings()
    {
        var settings = Seed with { Cloud = Seed.Cloud with { SshUser = "ops" } };

        var metadata = Resource("google_compute_instance_template", "app", settings)["metadata"]!;

        Assert.Equal("ops:${var.deploy_ssh_public_key}", Str(metadata[InstanceMetadataKeys.SshKeys]));
    }

    [Fact]
    public void Template_is_named_by_a_hash_of_all_its_inputs_and_replaced_before_destroy()
    {
        var doc = Documents()["terraform/instances.tf.json"];
        var template = doc["resource"]!["google_compute_instance_template"]!["app"]!.AsObject();
        var inputs = doc["locals"]!["template_inputs"]!.AsObject();

        Assert.Equal("buzztalk-tpl-${substr(sha256(jsonencode(local.template_inputs)), 0, 10)}", Str(template["name"]));
        Assert.True(template["lifecycle"]!["create_before_destroy"]!.GetValue<bool>());

        // Every argument of the template is hashed (only name and lifecycle are not inputs).
        foreach (var (key, value) in template)
        {
            if (key is "name" or "lifecycle")
            {
                continue;
            }

            Assert.True(JsonNode.DeepEquals(value, inputs[key]), $"template argument {key} is not in template_inputs");
        }

        var hashed = inputs.ToJsonString();
        Assert.Contains("${var.backend_image_tag}", hashed, StringComparison.Ordinal);
        Assert.Contains("${var.frontend_image_tag}", hashed, StringComparison.Ordinal);
        Assert.Contains("startup/bootstrap.sh", hashed, StringComparison.Ordinal);
        Assert.Equal("${filesha256(\"${path.module}/../startup/instance.sh\")}", Str(inputs["instance_script_sha256"]));
    }

    [Fact]
    public void Nothing_ignores_changes()
    {
        foreach (var file in TerraformGenerator.Generate(Seed))
        {
            Assert.DoesNotContain("ignore_changes", file.Content, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void Instance_script_is_uploaded_to_the_bucket_under_the_configured_object_name()
    {
        var script = Resource("google_storage_bucket_object", "instance_script");

        Assert.Equal("${var.bucket}", Str(script["bucket"]));
        Assert.Equal("startup/instance.sh", Str(script["name"]));
        Assert.Equal("${path.module}/../startup/instance.sh", Str(script["source"]));
    }

    [Fact]
    public void Group_spreads_evenly_over_three_zones_and_rolls_proactively_to_the_current_template()
    {
        var group = Resource("google_compute_region_instance_group_manager", "app");
        var policy = Block(group, "update_policy");
        var port = Block(group, "named_port");

        Assert.Equal(["${var.region}-a", "${var.region}-b", "${var.region}-c"], Strs(group["distribution_policy_zones"]));
        Assert.Equal("EVEN", Str(group["distribution_policy_target_shape"]));
        Assert.Equal("${google_compute_instance_template.app.self_link}", Str(Block(group, "version")["instance_template"]));
        Assert.Equal("PROACTIVE", Str(policy["type"]));
        Assert.Equal("REPLACE", Str(policy["minimal_action"]));
        Assert.Equal(3, policy["max_surge_fixed"]!.GetValue<int>());
        Assert.Equal(0, policy["max_unavailable_fixed"]!.GetValue<int>());
        Assert.Equal("PROACTIVE", Str(policy["instance_redistribution_type"]));
        Assert.Equal("http", Str(port["name"]));
        Assert.Equal(80, port["port"]!.GetValue<int>());
        Assert.Equal("${google_compute_health_check.http.id}", Str(Block(group, "auto_healing_policies")["health_check"]));
        Assert.Null(group["target_size"]);
        Assert.Contains("google_storage_bucket_object.instance_script", Strs(group["depends_on"]));
    }

    [Fact]
    public void Zones_come_from_the_settings()
    {
        var settings = Seed with { Cloud = Seed.Cloud with { ZoneSuffixes = ["b", "f"] } };

        var group = Resource("google_compute_region_instance_group_manager", "app", settings);

        Assert.Equal(["${var.region}-b", "${var.region}-f"], Strs(group["distribution_policy_zones"]));
        Assert.Equal(3, Block(group, "update_policy")["max_surge_fixed"]!.GetValue<int>());
    }

    [Fact]
    public void Roll_step_grows_to_the_zone_count_the_api_requires()
    {
        var settings = Seed with { Cloud = Seed.Cloud with { ZoneSuffixes = ["a", "b", "c", "f"] } };

        var policy = Block(Resource("google_compute_region_instance_group_manager", "app", settings), "update_policy");

        Assert.Equal(4, policy["max_surge_fixed"]!.GetValue<int>());
        Assert.Equal(0, policy["max_unavailable_fixed"]!.GetValue<int>());
    }

    [Fact]
    public void Autoscaler_keeps_the_seed_numbers()
    {
        var autoscaler = Resource("google_compute_region_autoscaler", "app");
        var policy = Block(autoscaler, "autoscaling_policy");
        var scaleIn = Block(policy, "scale_in_control");

        Assert.Equal("${google_compute_region_instance_group_manager.app.id}", Str(autoscaler["target"]));
        Assert.Equal("${var.region}", Str(autoscaler["region"]));
        Assert.Equal("ON", Str(policy["mode"]));
        Assert.Equal(1, policy["min_replicas"]!.GetValue<int>());
        Assert.Equal(2, policy["max_replicas"]!.GetValue<int>());
        Assert.Equal(360, policy["cooldown_period"]!.GetValue<int>());
        Assert.Equal(0.99, Block(policy, "cpu_utilization")["target"]!.GetValue<double>());
        Assert.Equal(1, Block(scaleIn, "max_scaled_in_replicas")["fixed"]!.GetValue<int>());
        Assert.Equal(600, scaleIn["time_window_sec"]!.GetValue<int>());
    }

    [Fact]
    public void Instance_bounds_come_from_the_settings()
    {
        var settings = Seed with { Cloud = Seed.Cloud with { MinInstances = 2, MaxInstances = 5 } };

        var policy = Block(Resource("google_compute_region_autoscaler", "app", settings), "autoscaling_policy");

        Assert.Equal(2, policy["min_replicas"]!.GetValue<int>());
        Assert.Equal(5, policy["max_replicas"]!.GetValue<int>());
    }

    [Fact]
    public void Health_check_probes_a_backend_through_nginx_on_port_80_every_5_seconds()
    {
        var check = Resource("google_compute_health_check", "http");
        var http = Block(check, "http_health_check");

        Assert.Equal(5, check["check_interval_sec"]!.GetValue<int>());
        Assert.Equal(5, check["timeout_sec"]!.GetValue<int>());
        Assert.Equal(2, check["healthy_threshold"]!.GetValue<int>());
        Assert.Equal(2, check["unhealthy_threshold"]!.GetValue<int>());
        Assert.Equal(80, http["port"]!.GetValue<int>());
        Assert.Equal("/backend/health", Str(http["request_path"]));
    }

    [Fact]
    public void Backend_service_balances_the_group_round_robin_by_utilization()
    {
        var service = Resource("google_compute_backend_service", "app");
        var backend = Block(service, "backend");

        Assert.Equal("HTTP", Str(service["protocol"]));
        Assert.Equal("http", Str(service["port_name"]));
        Assert.Equal("EXTERNAL_MANAGED", Str(service["load_balancing_scheme"]));
        Assert.Equal("ROUND_ROBIN", Str(service["locality_lb_policy"]));
        Assert.Equal(30, service["timeout_sec"]!.GetValue<int>());
        Assert.Equal(300, service["connection_draining_timeout_sec"]!.GetValue<int>());
        Assert.Equal(["${google_compute_health_check.http.id}"], Strs(service["health_checks"]));
        Assert.Equal("${google_compute_region_instance_group_manager.app.instance_group}", Str(backend["group"]));
        Assert.Equal("UTILIZATION", Str(backend["balancing_mode"]));
        Assert.Equal(0.8, backend["max_utilization"]!.GetValue<double>());
        Assert.Equal(1, backend["capacity_scaler"]!.GetValue<int>());
    }

    [Fact]
    public void Url_map_proxy_and_forwarding_rule_serve_port_80_on_the_static_ip()
    {
        var map = Resource("google_compute_url_map", "app");
        var proxy = Resource("google_compute_target_http_proxy", "app");
        var rule = Resource("google_compute_global_forwarding_rule", "http");

        Assert.Equal("${google_compute_backend_service.app.id}", Str(map["default_service"]));
        Assert.Equal("${google_compute_url_map.app.id}", Str(proxy["url_map"]));
        Assert.Equal("${google_compute_target_http_proxy.app.id}", Str(rule["target"]));
        Assert.Equal("${google_compute_global_address.lb.id}", Str(rule["ip_address"]));
        Assert.Equal("80", Str(rule["port_range"]));
        Assert.Equal("EXTERNAL_MANAGED", Str(rule["load_balancing_scheme"]));
    }

    [Fact]
    public void Service_accounts_get_exactly_the_roles_they_need()
    {
        var iam = Documents()["terraform/iam.tf.json"]["resource"]!;
        var projectRoles = iam["google_project_iam_member"]!.AsObject()
            .Select(p => (Role: Str(p.Value!["role"]), Member: Str(p.Value!["member"]), Project: Str(p.Value!["project"])))
            .OrderBy(r => r.Role, StringComparer.Ordinal)
            .ToList();

        Assert.Equal(
            [
                ("roles/compute.viewer", "serviceAccount:${google_service_account.prometheus_discovery.email}", "${var.project}"),
                ("roles/logging.logWriter", "serviceAccount:${google_service_account.instance.email}", "${var.project}"),
                ("roles/monitoring.metricWriter", "serviceAccount:${google_service_account.instance.email}", "${var.project}"),
                ("roles/monitoring.viewer", "serviceAccount:${google_service_account.stackdriver_exporter.email}", "${var.project}"),
                ("roles/secretmanager.secretAccessor", "serviceAccount:${google_service_account.instance.email}", "${var.project}"),
            ],
            projectRoles);

        var bucketReader = iam["google_storage_bucket_iam_member"]!["instance_object_viewer"]!;
        Assert.Equal("${var.bucket}", Str(bucketReader["bucket"]));
        Assert.Equal("roles/storage.objectViewer", Str(bucketReader["role"]));
        Assert.Equal("serviceAccount:${google_service_account.instance.email}", Str(bucketReader["member"]));

        // The Deployer's account writes the desired release: bucket objects, and versions of the env secret it may read back.
        var env = iam["google_secret_manager_secret"]!["env"]!;
        Assert.Equal("buzztalk-env", Str(env["secret_id"]));
        var deployerGrants = new[]
        {
            iam["google_storage_bucket_iam_member"]!["deployer_object_admin"]!,
            iam["google_secret_manager_secret_iam_member"]!["deployer_env_version_adder"]!,
            iam["google_secret_manager_secret_iam_member"]!["deployer_env_accessor"]!,
        };
        Assert.Equal(["roles/storage.objectAdmin", "roles/secretmanager.secretVersionAdder", "roles/secretmanager.secretAccessor"],
            deployerGrants.Select(g => Str(g["role"])));
        Assert.All(deployerGrants, g =>
        {
            Assert.Equal("serviceAccount:${var.deployer_service_account}", Str(g["member"]));
            Assert.Equal("${var.deployer_service_account == \"\" ? 0 : 1}", Str(g["count"]));
        });
        Assert.Equal(2, iam["google_storage_bucket_iam_member"]!.AsObject().Count);

        var accounts = iam["google_service_account"]!.AsObject().ToDictionary(p => p.Key, p => Str(p.Value!["account_id"]), StringComparer.Ordinal);
        Assert.Equal("buzztalk-prometheus-discovery", accounts["prometheus_discovery"]);
        Assert.Equal("buzztalk-stackdriver-exporter", accounts["stackdriver_exporter"]);
        Assert.Equal("buzztalk-instance", accounts["instance"]);
        Assert.All(accounts.Values, id => Assert.InRange(id.Length, 6, 30));
    }

    [Fact]
    public void Outputs_expose_the_ip_group_template_and_account_emails()
    {
        var outputs = Documents()["terraform/outputs.tf.json"]["output"]!.AsObject();

        Assert.Equal("${google_compute_global_address.lb.address}", Str(outputs["lb_ip_address"]!["value"]));
        Assert.Equal("${google_compute_region_instance_group_manager.app.name}", Str(outputs["instance_group_manager_name"]!["value"]));
        Assert.Equal("${google_compute_region_instance_group_manager.app.self_link}", Str(outputs["instance_group_manager_self_link"]!["value"]));
        Assert.Equal("${google_compute_region_instance_group_manager.app.instance_group}", Str(outputs["instance_group"]!["value"]));
        Assert.Equal("${google_compute_instance_template.app.name}", Str(outputs["instance_template_name"]!["value"]));
        Assert.Equal("${google_service_account.instance.email}", Str(outputs["instance_service_account_email"]!["value"]));
        Assert.Equal("${google_service_account.prometheus_discovery.email}", Str(outputs["prometheus_discovery_service_account_email"]!["value"]));
        Assert.Equal("${google_service_account.stackdriver_exporter.email}", Str(outputs["stackdriver_exporter_service_account_email"]!["value"]));
    }

    [Fact]
    public void Every_reference_points_at_a_declared_variable_local_or_resource()
    {
        var problems = TerraformReferenceChecker.Problems(Documents().Values);

        Assert.Empty(problems);
    }

    [Fact]
    public void The_reference_checker_reports_undeclared_names()
    {
        // Proves the check above can fail: the generated files plus one resource with bad references.
        var docs = Documents().Values.ToList();
        docs.Add(JsonNode.Parse("""
            {"resource": {"google_compute_firewall": {"broken": {
              "network": "${google_compute_network.missing.id}",
              "source_ranges": "${var.nope}",
              "description": "${local.absent}",
              "priority": "${upper(var.project)}",
              "depends_on": ["google_storage_bucket_object.gone"],
              "name": "${unterminated"
            }}}}
            """)!.AsObject());

        var problems = TerraformReferenceChecker.Problems(docs);

        Assert.Contains(problems, p => p.Contains("google_compute_network.missing", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.Contains("var.nope", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.Contains("local.absent", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.Contains("google_storage_bucket_object.gone", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.Contains("unterminated", StringComparison.Ordinal));
        Assert.DoesNotContain(problems, p => p.Contains("var.project", StringComparison.Ordinal));
        Assert.Equal(5, problems.Count);
    }

    [Fact]
    public void The_interpolation_scanner_reads_nested_templates_and_skips_escaped_ones()
    {
        var found = TerraformReferenceChecker.Interpolations("a ${file(\"${path.module}/x\")} b $${literal} ${var.c}");

        Assert.Equal(["file(\"${path.module}/x\")", "var.c"], found);
    }

    [Theory]
    [InlineData("BuzzTalk")]
    [InlineData("buzz_talk")]
    [InlineData("averyverylongname")]
    public void Names_gcp_would_reject_are_refused(string name)
    {
        var settings = Seed with { Name = name };

        Assert.Throws<ArgumentException>(() => TerraformGenerator.Generate(settings));
    }

    [Fact]
    public void Resource_names_derive_from_the_settings_name()
    {
        var settings = Seed with { Name = "chat" };

        Assert.Equal("chat-mig", Str(Resource("google_compute_region_instance_group_manager", "app", settings)["name"]));
        Assert.StartsWith("chat-tpl-", Str(Resource("google_compute_instance_template", "app", settings)["name"]), StringComparison.Ordinal);
        Assert.Equal("chat-vpc", Str(Resource("google_compute_network", "vpc", settings)["name"]));
    }
}
