using BuzzTalk.Discovery.Providers;
using BuzzTalk.Fleet.Inventory;

namespace BuzzTalk.Discovery.Tests.Providers;

public sealed class InstanceValidatorTests
{
    private static FleetInstance Instance(string name, string ip, string privateIp = "") => new() { Name = name, PublicIp = ip, PrivateIp = privateIp };

    [Theory]
    [InlineData("a", "not-an-ip", "")]
    [InlineData("a", "", "")]
    [InlineData("", "127.0.0.11", "")]
    [InlineData("a", "127.0.0.11", "10.0.0.300")]
    public void A_list_with_a_bad_entry_is_rejected_whole(string name, string ip, string privateIp)
    {
        var error = Assert.Throws<InvalidDataException>(() =>
            InstanceValidator.Validate([Instance("ok", "127.0.0.12"), Instance(name, ip, privateIp)], "test"));
        Assert.StartsWith("test:", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_name_may_appear_once()
    {
        Assert.Throws<InvalidDataException>(() =>
            InstanceValidator.Validate([Instance("a", "127.0.0.11"), Instance("a", "127.0.0.12")], "test"));
    }

    [Fact]
    public void Valid_ipv4_and_ipv6_addresses_pass()
    {
        var instances = InstanceValidator.Validate([Instance("a", "127.0.0.11", "10.0.0.1"), Instance("b", "::1")], "test");

        Assert.Equal(2, instances.Count);
    }
}
