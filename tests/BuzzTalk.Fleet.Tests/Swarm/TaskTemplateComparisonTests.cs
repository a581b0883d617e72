using System.Text.Json;
using BuzzTalk.Fleet.Swarm;

namespace BuzzTalk.Fleet.Tests.Swarm;

public sealed class TaskTemplateComparisonTests
{
    // As docker prints a service created by a stack deploy, and the same service re-sent by the next one.
    private const string Created = """{"ContainerSpec":{"Image":"buzztalk/nginx:test","Labels":{"a":"b"},"Isolation":"default"},"Resources":{},"Placement":{"Constraints":[]}}""";
    private const string Resent = """{"ContainerSpec":{"Image":"buzztalk/nginx:test","Labels":{"a":"b"},"StopGracePeriod":10000000000,"DNSConfig":{},"Isolation":"default"},"Resources":{},"Placement":{}}""";

    private static string Normalized(string json)
    {
        using var document = JsonDocument.Parse(json);
        return SwarmClient.Normalized(document.RootElement);
    }

    [Fact]
    public void Defaults_an_update_fills_in_are_not_a_change()
    {
        Assert.Equal(Normalized(Created), Normalized(Resent));
    }

    [Theory]
    [InlineData("buzztalk/nginx:test2", 10000000000)]
    [InlineData("buzztalk/nginx:test", 30000000000)]
    public void A_new_image_or_a_non_default_grace_period_is_a_change(string image, long grace)
    {
        var changed = Resent.Replace("buzztalk/nginx:test\"", $"{image}\"", StringComparison.Ordinal)
            .Replace("10000000000", grace.ToString(System.Globalization.CultureInfo.InvariantCulture), StringComparison.Ordinal);

        Assert.NotEqual(Normalized(Created), Normalized(changed));
    }
}
