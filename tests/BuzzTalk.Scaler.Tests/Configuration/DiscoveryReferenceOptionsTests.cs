using BuzzTalk.Scaler.Configuration;
using BuzzTalk.Scaler.Tests.Notifications;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace BuzzTalk.Scaler.Tests.Configuration;

/// <summary>The AppHost gives the Scaler Discovery as a reference (<c>services__discovery__http__0</c>), not a URL setting.</summary>
public sealed class DiscoveryReferenceOptionsTests
{
    [Theory]
    [InlineData(null, "http://localhost:40002/sd/targets")]
    [InlineData("http://127.0.0.1:9/sd/targets", "http://127.0.0.1:9/sd/targets")]
    public async Task The_reference_is_the_inventory_unless_a_discovery_url_is_set(string? explicitUrl, string expected)
    {
        var configuration = DiscordRelayTests.Configuration(null);
        configuration["services:discovery:http:0"] = "http://localhost:40002";
        configuration["Scaler:DiscoveryUrl"] = explicitUrl;
        await using var scaler = await ScalerHost.StartAsync(configuration);

        Assert.Equal(new Uri(expected), scaler.App.Services.GetRequiredService<IOptions<ScalerOptions>>().Value.DiscoveryUrl);
    }
}
