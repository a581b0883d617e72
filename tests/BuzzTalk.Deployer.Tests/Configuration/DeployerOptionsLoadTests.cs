using BuzzTalk.Deployer.Configuration;
using Microsoft.Extensions.Configuration;

namespace BuzzTalk.Deployer.Tests.Configuration;

public sealed class DeployerOptionsLoadTests
{
    private static IConfiguration Configuration(params (string Key, string Value)[] values) =>
        new ConfigurationBuilder().AddInMemoryCollection(values.Select(v => new KeyValuePair<string, string?>(v.Key, v.Value))).Build();

    [Fact]
    public void The_apphosts_discovery_reference_is_the_inventory_when_no_url_is_set()
    {
        var options = DeployerOptions.Load(Configuration(("services:discovery:http:0", "http://localhost:40001"), ("Deployer:Stack", "buzztalk")));

        Assert.Equal("http://localhost:40001/sd/targets", options.DiscoveryUrl);
        Assert.Equal("buzztalk", options.Stack);
    }

    [Fact]
    public void An_explicit_discovery_url_wins_over_the_reference()
    {
        var options = DeployerOptions.Load(Configuration(
            ("services:discovery:http:0", "http://localhost:40001"), ("Deployer:DiscoveryUrl", "http://127.0.0.1:9/sd/targets")));

        Assert.Equal("http://127.0.0.1:9/sd/targets", options.DiscoveryUrl);
    }

    [Fact]
    public void Without_either_there_is_no_discovery_url()
    {
        Assert.Null(DeployerOptions.Load(Configuration(("Deployer:Stack", "buzztalk"))).DiscoveryUrl);
    }
}
