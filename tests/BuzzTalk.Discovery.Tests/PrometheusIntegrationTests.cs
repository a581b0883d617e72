using BuzzTalk.Discovery.Tests.Fakes;
using BuzzTalk.Discovery.Tests.Servers;
using BuzzTalk.Testing;

namespace BuzzTalk.Discovery.Tests;

/// <summary>
/// A real Prometheus reading Discovery's http_sd endpoint and file_sd files while Discovery
/// reads the fake Compute API: the targets Prometheus reports carry the inventory labels and
/// survive a Compute outage.
/// </summary>
public sealed class PrometheusIntegrationTests : IAsyncLifetime
{
    private const string Project = "buzz-local";
    private static readonly TimeSpan s_timeout = TimeSpan.FromSeconds(60);
    private readonly ScratchDirectory _sd = new();
    private readonly PrometheusServer _prometheus = new();
    private FakeGcp? _gcp;
    private DiscoveryHost? _discovery;

    private FakeGcp Gcp => _gcp!;

    public async Task InitializeAsync()
    {
        _gcp = await FakeGcp.StartAsync();
        // Loopback addresses: Prometheus may try to scrape them, and nothing may leave this machine.
        Gcp.SetInstances(Project,
        [
            new FakeInstance("buzz-a", "us-central1-a", "1001", "10.0.0.11", "127.0.0.11", Spot: true),
            new FakeInstance("buzz-b", "us-central1-b", "1002", "10.0.0.12", "127.0.0.12"),
            new FakeInstance("buzz-stopped", "us-central1-c", "1003", "10.0.0.13", "127.0.0.13", Status: "TERMINATED"),
        ]);
        var keyFile = Path.Combine(_sd.Path, "key.json");
        await File.WriteAllTextAsync(keyFile, Gcp.ServiceAccountKeyJson(Project));

        _discovery = await DiscoveryHost.StartAsync(new Dictionary<string, string?>
        {
            ["Discovery:Provider"] = "Gcp",
            ["Discovery:RefreshInterval"] = "00:00:01",
            ["Discovery:FileSd:JsonPath"] = Path.Combine(_sd.Path, "sd", "gcp_instances.json"),
            ["Discovery:FileSd:YamlPath"] = Path.Combine(_sd.Path, "sd", "gcp_instances.yml"),
            ["Discovery:Gcp:ProjectId"] = Project,
            ["Discovery:Gcp:Credentials"] = "ServiceAccountKeyFile",
            ["Discovery:Gcp:KeyFile"] = keyFile,
            ["Discovery:Gcp:ApiBaseUrl"] = Gcp.ComputeBaseUrl.ToString(),
            ["Discovery:Gcp:MaxRetries"] = "0",
        });
        await _discovery.WaitForAsync(s => s.IsLoaded, s_timeout);

        await _prometheus.StartAsync($"""
            global:
              scrape_interval: 1h
              evaluation_interval: 1h
            scrape_configs:
              - job_name: node-exporter
                http_sd_configs:
                  - url: {_discovery.Address}sd/targets/node-exporter
                    refresh_interval: 1s
                # As written for Prometheus' own gce_sd: the same __meta_gce_* labels and formats.
                relabel_configs:
                  - source_labels: [__meta_gce_label_env]
                    target_label: env
                  - source_labels: [__meta_gce_machine_type]
                    regex: '.*/machineTypes/(.+)'
                    target_label: machine_type
                  - source_labels: [__meta_gce_tags]
                    regex: '.*,http-server,.*'
                    target_label: http_server
                    replacement: 'yes'
              - job_name: cadvisor
                file_sd_configs:
                  - files: ['{_sd.Path}/sd/*.json']
                    refresh_interval: 1s
                relabel_configs:
                  - source_labels: [__address__]
                    target_label: __address__
                    replacement: '${"$"}{1}:8080'
              - job_name: inventory-yaml
                file_sd_configs:
                  - files: ['{_sd.Path}/sd/*.yml']
                    refresh_interval: 1s
            """);
    }

    public async Task DisposeAsync()
    {
        await _prometheus.DisposeAsync();
        if (_discovery is not null)
        {
            await _discovery.DisposeAsync();
        }

        if (_gcp is not null)
        {
            await _gcp.DisposeAsync();
        }

        _sd.Dispose();
    }

    [Fact]
    public async Task Prometheus_sees_every_running_instance_with_its_labels_through_http_sd_and_both_file_sd_formats()
    {
        await WaitForTargetsAsync(pool => pool == 2);

        var targets = await _prometheus.ActiveTargetsAsync();
        foreach (var pool in new[] { "node-exporter", "cadvisor", "inventory-yaml" })
        {
            var a = targets.Single(t => t.Pool == pool && t.Labels["instance_name"] == "buzz-a").Labels;
            Assert.Equal("buzz-a", a["instance"]);
            Assert.Equal("1001", a["instance_id"]);
            Assert.Equal("127.0.0.11", a["public_ip"]);
            Assert.Equal("10.0.0.11", a["private_ip"]);
            Assert.Equal("us-central1-a", a["zone"]);
            Assert.Equal(Project, a["project_id"]);
            Assert.Equal("spot", a["provisioning_model"]);
            Assert.Equal("standard", targets.Single(t => t.Pool == pool && t.Labels["instance_name"] == "buzz-b").Labels["provisioning_model"]);
            Assert.DoesNotContain(targets, t => t.Pool == pool && t.Labels["instance_name"] == "buzz-stopped");
        }

        var relabelled = targets.Single(t => t.Pool == "node-exporter" && t.Labels["instance_name"] == "buzz-a").Labels;
        Assert.Equal("test", relabelled["env"]);
        Assert.Equal("e2-micro", relabelled["machine_type"]);
        Assert.Equal("yes", relabelled["http_server"]);
    }

    [Fact]
    public async Task A_compute_outage_leaves_the_targets_in_place_and_recovery_applies_changes()
    {
        await WaitForTargetsAsync(pool => pool == 2);

        Gcp.FailAlways(500);
        await _discovery!.WaitForAsync(s => s.ConsecutiveFailures >= 2, s_timeout);
        // Let Prometheus refresh its http_sd at least twice more during the outage.
        var refreshes = await HttpSdRefreshesAsync();
        await PrometheusServer.WaitUntilAsync(async () => await HttpSdRefreshesAsync() >= refreshes + 2, s_timeout);

        var during = await _prometheus.ActiveTargetsAsync();
        Assert.Equal(2, during.Count(t => t.Pool == "node-exporter"));
        Assert.Equal(2, during.Count(t => t.Pool == "cadvisor"));
        Assert.Equal(2, during.Count(t => t.Pool == "inventory-yaml"));

        // Spot preemption during the outage: buzz-a is gone when the API answers again.
        Gcp.SetInstances(Project, [new FakeInstance("buzz-b", "us-central1-b", "1002", "10.0.0.12", "127.0.0.12")]);
        Gcp.Recover();
        await WaitForTargetsAsync(pool => pool == 1);
    }

    private async Task<double> HttpSdRefreshesAsync() =>
        await _prometheus.OwnMetricAsync("prometheus_sd_refresh_duration_seconds_count", "mechanism=\"http\"");

    private Task WaitForTargetsAsync(Func<int, bool> perPool) =>
        PrometheusServer.WaitUntilAsync(async () =>
        {
            var targets = await _prometheus.ActiveTargetsAsync();
            return new[] { "node-exporter", "cadvisor", "inventory-yaml" }.All(p => perPool(targets.Count(t => t.Pool == p)));
        }, s_timeout);
}
