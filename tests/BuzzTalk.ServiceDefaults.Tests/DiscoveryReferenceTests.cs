using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Hosting;

namespace BuzzTalk.ServiceDefaults.Tests;

public sealed class DiscoveryReferenceTests
{
    private static IConfiguration Configuration(params (string Key, string Value)[] values) =>
        new ConfigurationBuilder().AddInMemoryCollection(values.Select(v => new KeyValuePair<string, string?>(v.Key, v.Value))).Build();

    [Theory]
    [InlineData("http://localhost:41234", "http://localhost:41234/sd/targets")]
    [InlineData("http://127.0.0.1:5000/", "http://127.0.0.1:5000/sd/targets")]
    public void An_apphost_reference_gives_discoverys_targets_url(string endpoint, string expected)
    {
        var configuration = Configuration(("services:discovery:http:0", endpoint));

        Assert.Equal(new Uri(expected), DiscoveryReference.TargetsUrl(configuration));
    }

    [Theory]
    [InlineData("services:discovery:http:0", "")]
    [InlineData("services:discovery:http:0", "not a url")]
    [InlineData("services:scaler:http:0", "http://localhost:1")]
    public void No_usable_reference_gives_none(string key, string value)
    {
        Assert.Null(DiscoveryReference.TargetsUrl(Configuration((key, value))));
    }
}
