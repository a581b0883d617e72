using System.Net;
using System.Text.Json;
using BuzzTalk.Fleet.Inventory;

namespace BuzzTalk.Discovery.Tests.Outputs;

public sealed class HttpSdEndpointsTests
{
    private static Dictionary<string, string?> StaticFleet() => new()
    {
        ["Discovery:Provider"] = "Static",
        ["Discovery:Instances:0:Name"] = "node-b",
        ["Discovery:Instances:0:PublicIp"] = "127.0.0.12",
        ["Discovery:Instances:0:PrivateIp"] = "10.0.0.12",
        ["Discovery:Instances:0:Zone"] = "us-central1-b",
        ["Discovery:Instances:0:ProvisioningModel"] = "spot",
        ["Discovery:Instances:1:Name"] = "node-a",
        ["Discovery:Instances:1:PublicIp"] = "127.0.0.11",
    };

    [Fact]
    public async Task The_inventory_is_one_labelled_group_per_instance_with_the_exact_content_type()
    {
        await using var host = await DiscoveryHost.StartAsync(StaticFleet());
        await host.WaitForAsync(s => s.IsLoaded);

        using var response = await host.Http.GetAsync("/sd/targets");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/json; charset=utf-8", response.Content.Headers.ContentType!.ToString());
        var groups = JsonSerializer.Deserialize(await response.Content.ReadAsStringAsync(), TargetGroupJsonContext.Default.ListTargetGroup)!;
        Assert.Equal(["127.0.0.11", "127.0.0.12"], groups.SelectMany(g => g.Targets));
        var b = groups[1].Labels;
        Assert.Equal("node-b", b[InventoryLabels.Instance]);
        Assert.Equal("127.0.0.12", b[InventoryLabels.PublicIp]);
        Assert.Equal("10.0.0.12", b[InventoryLabels.PrivateIp]);
        Assert.Equal("us-central1-b", b[InventoryLabels.Zone]);
        Assert.Equal("spot", b[InventoryLabels.ProvisioningModel]);
        Assert.All(groups.SelectMany(g => g.Labels.Keys), name => Assert.Matches("^[a-zA-Z_][a-zA-Z0-9_]*$", name));
    }

    [Theory]
    [InlineData("node-exporter", "127.0.0.11:9100")]
    [InlineData("cadvisor", "127.0.0.11:8080")]
    public async Task A_job_gets_every_instance_on_its_port(string job, string firstTarget)
    {
        await using var host = await DiscoveryHost.StartAsync(StaticFleet());
        await host.WaitForAsync(s => s.IsLoaded);

        var groups = JsonSerializer.Deserialize(await host.Http.GetStringAsync($"/sd/targets/{job}"), TargetGroupJsonContext.Default.ListTargetGroup)!;

        Assert.Equal(firstTarget, groups[0].Targets.Single());
        Assert.Equal(2, groups.Count);
    }

    [Fact]
    public async Task An_unknown_job_is_404()
    {
        await using var host = await DiscoveryHost.StartAsync(StaticFleet());

        using var response = await host.Http.GetAsync("/sd/targets/nope");

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
    }

    [Fact]
    public async Task No_instances_is_200_with_an_empty_list()
    {
        await using var host = await DiscoveryHost.StartAsync(new Dictionary<string, string?> { ["Discovery:Provider"] = "Static" });
        await host.WaitForAsync(s => s.IsLoaded);

        using var response = await host.Http.GetAsync("/sd/targets");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("[]", (await response.Content.ReadAsStringAsync()).Trim());
    }
}
