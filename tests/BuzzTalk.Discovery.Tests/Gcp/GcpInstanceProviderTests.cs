using System.Security.Cryptography;
using System.Text.Json.Nodes;
using BuzzTalk.Discovery.Tests.Fakes;
using BuzzTalk.Discovery.Tests.Servers;
using BuzzTalk.Fleet.Inventory;
using BuzzTalk.Testing;
using Microsoft.Extensions.Time.Testing;

namespace BuzzTalk.Discovery.Tests.Gcp;

/// <summary>The GCP provider, wired as in the service, against the fake Compute API and token endpoints.</summary>
public sealed class GcpInstanceProviderTests : IAsyncLifetime
{
    private const string Project = "buzz-tests";
    private readonly ScratchDirectory _dir = new();
    private FakeGcp? _gcp;

    private FakeGcp Gcp => _gcp!;

    public async Task InitializeAsync() => _gcp = await FakeGcp.StartAsync();

    public async Task DisposeAsync()
    {
        if (_gcp is not null)
        {
            await _gcp.DisposeAsync();
        }

        _dir.Dispose();
    }

    private async Task<DiscoveryHost> StartAsync(params (string Key, string Value)[] overrides)
    {
        var keyFile = Path.Combine(_dir.Path, "key.json");
        await File.WriteAllTextAsync(keyFile, Gcp.ServiceAccountKeyJson(Project));
        var configuration = new Dictionary<string, string?>
        {
            ["Discovery:Provider"] = "Gcp",
            // The loop refreshes once at start; tests drive further refreshes themselves.
            ["Discovery:RefreshInterval"] = "01:00:00",
            ["Discovery:Gcp:ProjectId"] = Project,
            ["Discovery:Gcp:Credentials"] = "ServiceAccountKeyFile",
            ["Discovery:Gcp:KeyFile"] = keyFile,
            ["Discovery:Gcp:ApiBaseUrl"] = Gcp.ComputeBaseUrl.ToString(),
            ["Discovery:Gcp:RetryDelay"] = "00:00:00.010",
            // The preemption watch off: these tests count the refresh's Compute calls.
            ["Discovery:Gcp:PreemptionPollInterval"] = "00:00:00",
        };
        foreach (var (key, value) in overrides)
        {
            configuration[key] = value;
        }

        var host = await DiscoveryHost.StartAsync(configuration);
        await host.WaitForAsync(s => s.IsLoaded || s.ConsecutiveFailures > 0);
        return host;
    }

    private static FakeInstance Vm(string name, string zone, string ip, string status = "RUNNING", bool spot = false, string? group = null) =>
        new(name, zone, "id-" + name, "10.0.0." + ip.Split('.')[^1], ip, status, spot, group);

    [Fact]
    public async Task The_aggregated_list_is_read_page_by_page_keeping_running_instances_with_a_public_ip()
    {
        Gcp.SetInstances(Project,
        [
            Vm("a1", "us-central1-a", "127.0.0.11"),
            Vm("a2", "us-central1-a", "127.0.0.12", spot: true),
            Vm("b1", "us-central1-b", "127.0.0.13", status: "TERMINATED"),
            Vm("b2", "us-central1-b", "127.0.0.14", group: "https://www.googleapis.com/compute/v1/projects/buzz-tests/regions/us-central1/instanceGroupManagers/buzz-mig"),
            new FakeInstance("b3", "us-central1-b", "id-b3", "10.0.0.15", NatIp: null),
            Vm("c1", "us-central1-c", "127.0.0.16", status: "STOPPING"),
            Vm("c2", "us-central1-c", "127.0.0.17"),
        ]);
        Gcp.AddEmptyZone(Project, "europe-west1-b");

        await using var host = await StartAsync(("Discovery:Gcp:PageSize", "2"));

        var instances = host.Store.Current.Instances;
        Assert.Equal(["a1", "a2", "b2", "c2"], instances.Select(i => i.Name));
        Assert.Equal(4, Gcp.ComputeRequestLog.Count(r => r.Contains("/aggregated/instances", StringComparison.Ordinal)));
        Assert.Equal(1, Gcp.TokenRequests); // one token serves every page
        var a2 = instances.Single(i => i.Name == "a2");
        Assert.Equal(ProvisioningModels.Spot, a2.ProvisioningModel);
        Assert.Equal("us-central1-a", a2.Zone);
        Assert.Equal("10.0.0.12", a2.PrivateIp);
        Assert.Equal("id-a2", a2.Id);
        Assert.Equal(Project, a2.ProjectId);
        Assert.Equal("buzz-mig", instances.Single(i => i.Name == "b2").ManagedGroup);
        Assert.Equal(ProvisioningModels.Standard, instances.Single(i => i.Name == "a1").ProvisioningModel);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task A_managed_group_lists_its_members_and_fetches_only_the_running_ones(bool paginated)
    {
        Gcp.SetInstances(Project,
        [
            Vm("mig-a", "us-central1-a", "127.0.0.21", spot: true),
            Vm("mig-b", "us-central1-b", "127.0.0.22", spot: true),
            Vm("other", "us-central1-b", "127.0.0.23"),
        ]);
        Gcp.SetManagedGroup(Project, "us-central1", "buzz-mig",
        [
            new FakeManagedMember("mig-a", "us-central1-a", "id-mig-a", "RUNNING"),
            new FakeManagedMember("mig-b", "us-central1-b", "id-mig-b", "RUNNING"),
            new FakeManagedMember("mig-c", "us-central1-c", null, null, "CREATING"),
        ], paginated);

        await using var host = await StartAsync(
            ("Discovery:Gcp:ManagedInstanceGroup", "buzz-mig"), ("Discovery:Gcp:Region", "us-central1"), ("Discovery:Gcp:PageSize", "1"));

        var instances = host.Store.Current.Instances;
        Assert.Equal(["mig-a", "mig-b"], instances.Select(i => i.Name));
        Assert.All(instances, i => Assert.Equal("buzz-mig", i.ManagedGroup));
        Assert.Equal(paginated ? 3 : 1, Gcp.ComputeRequestLog.Count(r => r.Contains("/listManagedInstances", StringComparison.Ordinal)));
        Assert.DoesNotContain(Gcp.ComputeRequestLog, r => r.Contains("/instances/mig-c", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData(429)]
    [InlineData(503)]
    [InlineData(500)]
    public async Task Rate_limits_and_server_errors_are_retried_until_an_answer_comes(int status)
    {
        Gcp.SetInstances(Project, [Vm("a1", "us-central1-a", "127.0.0.11")]);
        Gcp.FailNext(status, 2);

        await using var host = await StartAsync(("Discovery:Gcp:MaxRetries", "3"));

        Assert.Equal(["a1"], host.Store.Current.Instances.Select(i => i.Name));
        Assert.Equal(3, Gcp.ComputeRequests);
    }

    [Fact]
    public async Task A_persistent_server_error_fails_the_refresh_after_the_configured_retries()
    {
        Gcp.FailAlways(500);

        await using var host = await StartAsync(("Discovery:Gcp:MaxRetries", "2"));

        Assert.False(host.Store.Current.IsLoaded);
        Assert.Contains("500", host.Store.Current.LastError, StringComparison.Ordinal);
        Assert.Equal(3, Gcp.ComputeRequests);
    }

    [Fact]
    public async Task Permission_denied_is_reported_with_googles_reason_and_not_retried()
    {
        Gcp.FailAlways(403);

        await using var host = await StartAsync(("Discovery:Gcp:MaxRetries", "3"));

        Assert.Contains("forbidden", host.Store.Current.LastError, StringComparison.Ordinal);
        Assert.Equal(1, Gcp.ComputeRequests);
    }

    [Fact]
    public async Task A_slow_answer_is_cut_off_by_the_per_call_timeout()
    {
        Gcp.SetInstances(Project, [Vm("a1", "us-central1-a", "127.0.0.11")]);
        Gcp.ComputeDelay = TimeSpan.FromSeconds(20);

        await using var host = await StartAsync(("Discovery:Gcp:CallTimeout", "00:00:00.200"), ("Discovery:Gcp:MaxRetries", "1"));

        Assert.False(host.Store.Current.IsLoaded);
        Assert.Equal(2, Gcp.ComputeRequests);

        Gcp.ComputeDelay = TimeSpan.Zero;
        Assert.True(await host.Refresher.RefreshAsync(CancellationToken.None));
        Assert.Equal(["a1"], host.Store.Current.Instances.Select(i => i.Name));
    }

    [Fact]
    public async Task The_metadata_server_supplies_the_token_when_configured()
    {
        Gcp.SetInstances(Project, [Vm("a1", "us-central1-a", "127.0.0.11")]);

        await using var host = await StartAsync(
            ("Discovery:Gcp:Credentials", "MetadataServer"), ("Discovery:Gcp:MetadataTokenUri", Gcp.MetadataTokenUri.ToString()));

        Assert.Equal(["a1"], host.Store.Current.Instances.Select(i => i.Name));
        Assert.True(Gcp.MetadataRequests >= 1);
        Assert.Equal(0, Gcp.TokenRequests);
    }

    [Fact]
    public async Task A_token_is_reused_until_five_minutes_before_it_expires_then_replaced()
    {
        Gcp.SetInstances(Project, [Vm("a1", "us-central1-a", "127.0.0.11")]);
        // The metadata credential: a service-account JWT would carry the fake clock's time, which the
        // token endpoint checks against the real one.
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var host = await DiscoveryHost.StartAsync(new Dictionary<string, string?>
        {
            ["Discovery:Provider"] = "Gcp",
            ["Discovery:RefreshInterval"] = "01:00:00",
            ["Discovery:Gcp:ProjectId"] = Project,
            ["Discovery:Gcp:Credentials"] = "MetadataServer",
            ["Discovery:Gcp:MetadataTokenUri"] = Gcp.MetadataTokenUri.ToString(),
            ["Discovery:Gcp:ApiBaseUrl"] = Gcp.ComputeBaseUrl.ToString(),
            ["Discovery:Gcp:PreemptionPollInterval"] = "00:00:00",
        }, time);
        await host.WaitForAsync(s => s.IsLoaded || s.ConsecutiveFailures > 0);
        Assert.Equal(1, Gcp.MetadataRequests);

        // The fake's tokens live 3599 s; five minutes before that the token is still used ...
        time.Advance(TimeSpan.FromSeconds(3599 - 300 - 1));
        Assert.True(await host.Refresher.RefreshAsync(CancellationToken.None));
        Assert.Equal(1, Gcp.MetadataRequests);

        // ... and then replaced before the next call.
        time.Advance(TimeSpan.FromSeconds(2));
        Assert.True(await host.Refresher.RefreshAsync(CancellationToken.None));
        Assert.Equal(2, Gcp.MetadataRequests);
        Assert.Equal(0, Gcp.TokenRequests);
    }

    [Fact]
    public async Task A_key_the_token_endpoint_does_not_know_is_refused_and_nothing_is_listed()
    {
        Gcp.SetInstances(Project, [Vm("a1", "us-central1-a", "127.0.0.11")]);
        var forged = JsonNode.Parse(Gcp.ServiceAccountKeyJson(Project))!;
        using var other = RSA.Create(2048);
        forged["private_key"] = other.ExportPkcs8PrivateKeyPem();
        var keyFile = Path.Combine(_dir.Path, "forged.json");
        await File.WriteAllTextAsync(keyFile, forged.ToJsonString());

        await using var host = await StartAsync(("Discovery:Gcp:KeyFile", keyFile));

        Assert.False(host.Store.Current.IsLoaded);
        Assert.Contains("invalid_grant", host.Store.Current.LastError, StringComparison.Ordinal);
        Assert.Equal(0, Gcp.ComputeRequests);
    }
}
