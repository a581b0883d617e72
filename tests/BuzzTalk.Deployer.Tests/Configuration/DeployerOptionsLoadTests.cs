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

    [Fact]
    public void Without_a_health_url_the_gate_asks_the_origin_for_the_bundles_health_path()
    {
        var health = DeployerOptions.Load(Configuration(("Deployer:Health:Origin", "http://127.0.0.1:8080/"))).Health;

        Assert.Null(health.Url);
        Assert.Equal("http://127.0.0.1:8080/backend/ready", health.UrlFor("/backend/ready"));
        // A bundle from before x-buzztalk: health.
        Assert.Equal("http://127.0.0.1:8080/backend/health", health.UrlFor(null));
        Assert.Equal("http://127.0.0.1:80/backend/ready", new HealthOptions().UrlFor("/backend/ready"));
    }

    [Fact]
    public void An_explicit_health_url_overrides_the_bundles_path_and_an_empty_one_turns_the_check_off()
    {
        Assert.Equal("http://{instance}.internal/up", DeployerOptions.Load(Configuration(("Deployer:Health:Url", "http://{instance}.internal/up"))).Health.UrlFor("/backend/ready"));
        Assert.Equal("", DeployerOptions.Load(Configuration(("Deployer:Health:Url", ""))).Health.UrlFor("/backend/ready"));
    }

    [Theory]
    [InlineData("http://127.0.0.1:80/backend")]
    [InlineData("127.0.0.1:80")]
    [InlineData("ftp://127.0.0.1")]
    [InlineData("")]
    public void A_health_origin_with_a_path_or_no_http_scheme_is_refused(string origin)
    {
        var options = DeployerOptions.Load(Configuration(("Deployer:Health:Origin", origin)));

        Assert.Contains(DeployerOptionsValidator.Validate(options, needsSsh: false), e => e.StartsWith("Deployer:Health:Origin", StringComparison.Ordinal));
        Assert.DoesNotContain(DeployerOptionsValidator.Validate(new DeployerOptions(), needsSsh: false), e => e.Contains("Health", StringComparison.Ordinal));
    }
}
