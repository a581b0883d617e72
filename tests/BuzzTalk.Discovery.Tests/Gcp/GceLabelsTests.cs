using System.Text.Json;
using BuzzTalk.Discovery.Tests.Fakes;
using BuzzTalk.Fleet.Inventory;

namespace BuzzTalk.Discovery.Tests.Gcp;

/// <summary>
/// Each target carries the <c>__meta_gce_*</c> labels Prometheus' own gce_sd gives (prometheus/prometheus
/// <c>discovery/gce/gce.go</c>): relabelling written for gce_sd works on Discovery's targets unchanged.
/// </summary>
public sealed class GceLabelsTests : FakeGcpTestBase
{
    private const string Project = "buzz-labels";
    private const string ComputeRoot = "https://www.googleapis.com/compute/v1/";
    [Fact]
    public async Task Labels_tags_machine_type_and_only_the_configured_metadata_are_published_with_gce_sd_names()
    {
        Gcp.SetInstances(Project,
        [
            new FakeInstance("web-1", "us-central1-a", "4567890123456789012", "10.128.0.12", "127.0.0.11",
                Labels: new Dictionary<string, string> { ["env"] = "prod", ["team-name"] = "chat" },
                Tags: ["http-server", "buzz-node"],
                MachineType: "e2-standard-4",
                Metadata: new Dictionary<string, string>
                {
                    ["startup-script"] = "#!/bin/sh\necho TOP-SECRET-SCRIPT",
                    ["ssh-keys"] = "root:ssh-ed25519 AAAATOPSECRETKEY",
                    ["prometheus-port"] = "9100",
                    ["owner"] = "not configured",
                }),
            new FakeInstance("web-2", "us-central1-b", "4567890123456789013", "10.128.0.13", "127.0.0.12",
                Labels: new Dictionary<string, string>(), Tags: []),
        ]);

        await using var host = await GcpDiscoveryHost.StartAsync(Gcp, Project, Scratch,
            ("Discovery:Gcp:MetadataKeys:0", "prometheus-port"));

        foreach (var path in new[] { "/sd/targets", "/sd/targets/node-exporter" })
        {
            var body = await host.Http.GetStringAsync(path);
            Assert.DoesNotContain("TOP-SECRET", body, StringComparison.Ordinal);
            var groups = JsonSerializer.Deserialize(body, TargetGroupJsonContext.Default.ListTargetGroup)!;
            var web1 = groups.Single(g => g.Labels[InventoryLabels.InstanceName] == "web-1").Labels;
            Assert.Equal("prod", web1["__meta_gce_label_env"]);
            Assert.Equal("chat", web1["__meta_gce_label_team_name"]);
            Assert.Equal(",http-server,buzz-node,", web1["__meta_gce_tags"]);
            Assert.Equal($"{ComputeRoot}projects/{Project}/zones/us-central1-a/machineTypes/e2-standard-4", web1["__meta_gce_machine_type"]);
            Assert.Equal("9100", web1["__meta_gce_metadata_prometheus_port"]);
            Assert.Equal($"{ComputeRoot}projects/{Project}/zones/us-central1-a", web1["__meta_gce_zone"]);
            Assert.Equal(Project, web1["__meta_gce_project"]);
            Assert.Equal("web-1", web1["__meta_gce_instance_name"]);
            Assert.Equal("4567890123456789012", web1["__meta_gce_instance_id"]);
            Assert.Equal("RUNNING", web1["__meta_gce_instance_status"]);
            Assert.Equal("10.128.0.12", web1["__meta_gce_private_ip"]);
            Assert.Equal("127.0.0.11", web1["__meta_gce_public_ip"]);
            Assert.Equal($"{ComputeRoot}projects/{Project}/global/networks/default", web1["__meta_gce_network"]);
            Assert.DoesNotContain(web1.Keys, k => k.Contains("startup", StringComparison.Ordinal) || k.Contains("ssh", StringComparison.Ordinal)
                || k == "__meta_gce_metadata_owner");

            var web2 = groups.Single(g => g.Labels[InventoryLabels.InstanceName] == "web-2").Labels;
            Assert.DoesNotContain(web2.Keys, k => k.StartsWith("__meta_gce_label_", StringComparison.Ordinal) || k == "__meta_gce_tags");
            Assert.All(groups.SelectMany(g => g.Labels.Keys), name => Assert.Matches("^[a-zA-Z_][a-zA-Z0-9_]*$", name));
        }
    }

    [Theory]
    [InlineData("startup-script")]
    [InlineData("ssh-keys")]
    [InlineData("Startup-Script")]
    public async Task Secret_metadata_keys_are_refused_at_start(string key)
    {
        var configuration = await GcpDiscoveryHost.ConfigurationAsync(Gcp, Project, Scratch, ("Discovery:Gcp:MetadataKeys:0", key));

        var error = await Assert.ThrowsAnyAsync<Exception>(() => DiscoveryHost.StartAsync(configuration));

        Assert.Contains("MetadataKeys", error.Message, StringComparison.Ordinal);
    }
}
