using BuzzTalk.Discovery.Tests.Fakes;
using BuzzTalk.Fleet.Inventory;
using BuzzTalk.Testing;
using Microsoft.Extensions.Time.Testing;

namespace BuzzTalk.Discovery.Tests.Inventory;

/// <summary>
/// The Fleet's inventory client (used by the Scaler and the Deployer) reading what a real
/// Discovery serves, fed by the fake Compute API.
/// </summary>
public sealed class HttpSdInventoryTests : IAsyncLifetime
{
    private const string Project = "buzz-inventory";
    private readonly ScratchDirectory _dir = new();
    private readonly FakeTimeProvider _time = new();
    private FakeGcp? _gcp;
    private DiscoveryHost? _discovery;

    public async Task InitializeAsync()
    {
        _gcp = await FakeGcp.StartAsync();
        _gcp.SetInstances(Project,
        [
            new FakeInstance("buzz-a", "us-central1-a", "11", "10.0.0.11", "127.0.0.11", Spot: true),
            new FakeInstance("buzz-b", "us-central1-b", "12", "10.0.0.12", "127.0.0.12"),
        ]);
        var keyFile = Path.Combine(_dir.Path, "key.json");
        await File.WriteAllTextAsync(keyFile, _gcp.ServiceAccountKeyJson(Project));
        _discovery = await DiscoveryHost.StartAsync(new Dictionary<string, string?>
        {
            ["Discovery:Provider"] = "Gcp",
            ["Discovery:RefreshInterval"] = "01:00:00",
            ["Discovery:Gcp:ProjectId"] = Project,
            ["Discovery:Gcp:Credentials"] = "ServiceAccountKeyFile",
            ["Discovery:Gcp:KeyFile"] = keyFile,
            ["Discovery:Gcp:ApiBaseUrl"] = _gcp.ComputeBaseUrl.ToString(),
            ["Discovery:Gcp:MaxRetries"] = "0",
        });
        await _discovery.WaitForAsync(s => s.IsLoaded);
    }

    public async Task DisposeAsync()
    {
        if (_discovery is not null)
        {
            await _discovery.DisposeAsync();
        }

        if (_gcp is not null)
        {
            await _gcp.DisposeAsync();
        }

        _dir.Dispose();
    }

    private HttpSdInventory Inventory(HttpClient http) => new(http, new Uri(_discovery!.Address, "sd/targets"), TimeSpan.FromSeconds(10), _time);

    [Fact]
    public async Task The_inventory_is_read_back_with_every_field_discovery_published()
    {
        using var http = new HttpClient();
        using var inventory = Inventory(http);

        var instances = await inventory.GetAsync();

        Assert.Equal(["buzz-a", "buzz-b"], instances.Select(i => i.Name));
        var a = instances[0];
        Assert.Equal("127.0.0.11", a.PublicIp);
        Assert.Equal("10.0.0.11", a.PrivateIp);
        Assert.Equal("11", a.Id);
        Assert.Equal("us-central1-a", a.Zone);
        Assert.Equal(Project, a.ProjectId);
        Assert.Equal(ProvisioningModels.Spot, a.ProvisioningModel);
    }

    [Fact]
    public async Task Answers_are_cached_and_refreshed_after_the_cache_period()
    {
        using var http = new HttpClient();
        using var inventory = Inventory(http);
        Assert.Equal(2, (await inventory.GetAsync()).Count);

        _gcp!.SetInstances(Project, [new FakeInstance("buzz-b", "us-central1-b", "12", "10.0.0.12", "127.0.0.12")]);
        Assert.True(await _discovery!.Refresher.RefreshAsync(CancellationToken.None));
        Assert.Equal(2, (await inventory.GetAsync()).Count);

        _time.Advance(TimeSpan.FromSeconds(11));
        Assert.Equal(["buzz-b"], (await inventory.GetAsync()).Select(i => i.Name));
    }

    [Fact]
    public async Task When_discovery_cannot_be_reached_the_last_good_list_is_kept()
    {
        using var http = new HttpClient();
        using var inventory = Inventory(http);
        Assert.Equal(2, (await inventory.GetAsync()).Count);

        await _discovery!.DisposeAsync();
        _discovery = null;
        _time.Advance(TimeSpan.FromSeconds(11));

        Assert.Equal(2, (await inventory.GetAsync()).Count);
    }

    [Fact]
    public async Task Without_a_first_good_answer_the_error_surfaces()
    {
        using var http = new HttpClient();
        using var inventory = new HttpSdInventory(http, new Uri(_discovery!.Address, "sd/targets/no-such-job"), TimeSpan.FromSeconds(10), _time);

        await Assert.ThrowsAsync<HttpRequestException>(() => inventory.GetAsync());
    }

    [Fact]
    public void Groups_without_the_inventory_labels_are_rejected()
    {
        var groups = new List<TargetGroup> { new(["10.128.0.12:9100"], new Dictionary<string, string> { ["job"] = "node" }) };

        Assert.Throws<InvalidDataException>(() => HttpSdInventory.Parse(groups));
    }
}
