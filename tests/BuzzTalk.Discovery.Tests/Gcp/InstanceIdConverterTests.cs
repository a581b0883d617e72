using System.Text.Json;

namespace BuzzTalk.Discovery.Tests.Gcp;

/// <summary>An operation's <c>targetId</c> is read as Google sends it, and a malformed one spoils only its own operation.</summary>
public sealed class InstanceIdConverterTests
{
    private const string Page = """
        {"items":{"zones/us-central1-a":{"operations":[
          {"targetId":TARGET_ID,"operationType":"compute.instances.preempted","insertTime":"2026-12-05T00:12:34.567-08:00"},
          {"targetId":"42","operationType":"compute.instances.preempted","insertTime":"2026-12-05T00:12:35.000-08:00"}
        ]}}}
        """;

    [Theory]
    [InlineData("\"4567\"", 4567UL)]
    [InlineData("\"18446744073709551615\"", ulong.MaxValue)]
    [InlineData("\"\\u0034567\"", 4567UL)]
    [InlineData("\"18446744073709551616\"", null)]
    [InlineData("\"-1\"", null)]
    [InlineData("\" 4567\"", null)]
    [InlineData("\"instance-1\"", null)]
    [InlineData("\"\"", null)]
    [InlineData("4567", null)]
    [InlineData("null", null)]
    [InlineData("{\"id\":\"4567\"}", null)]
    [InlineData("[\"4567\"]", null)]
    public void A_target_id_is_a_uint64_in_text_or_nothing(string json, ulong? expected)
    {
        var page = JsonSerializer.Deserialize(Page.Replace("TARGET_ID", json, StringComparison.Ordinal), DiscoveryJsonContext.Default.OperationAggregatedList)!;

        var operations = page.Items!["zones/us-central1-a"].Operations!;
        Assert.Equal(expected, operations[0].TargetId);
        Assert.Equal(42UL, operations[1].TargetId);
        Assert.Equal("compute.instances.preempted", operations[1].OperationType);
    }
}
