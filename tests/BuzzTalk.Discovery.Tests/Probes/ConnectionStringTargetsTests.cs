using BuzzTalk.Discovery.Probes;
using MySqlConnector;

namespace BuzzTalk.Discovery.Tests.Probes;

public sealed class ConnectionStringTargetsTests
{
    [Fact]
    public void A_mysql_uri_gives_the_server_user_and_database_with_the_password_unescaped_apart()
    {
        var (target, error) = ConnectionStringTargets.MySql("mysql://app%3Buser:p%3Ba%2Cs%40w%3Ao%25rd@10.0.0.5:3307/chat%20db");

        Assert.Null(error);
        var address = new MySqlConnectionStringBuilder(target!.Address);
        Assert.Equal(("10.0.0.5", 3307u, "app;user", "chat db"), (address.Server, address.Port, address.UserID, address.Database));
        Assert.Equal("", address.Password);
        Assert.Equal("p;a,s@w:o%rd", target.Password);
    }

    [Fact]
    public void A_redis_uri_gives_host_and_port_with_tls_for_rediss_and_an_ipv6_host_bracketed()
    {
        var (plain, _) = ConnectionStringTargets.Redis("redis://:p%2Cw@127.0.0.1:6380/0");
        var (tls, _) = ConnectionStringTargets.Redis("rediss://default:pw@[::1]");

        Assert.Equal(("127.0.0.1:6380", "p,w"), (plain!.Address, plain.Password));
        Assert.Equal(("[::1]:6379,user=default,ssl=true", "pw"), (tls!.Address, tls.Password));
    }

    [Fact]
    public void The_client_libraries_own_forms_are_taken_as_they_are()
    {
        Assert.Equal("Server=db;User ID=u;Password=p", ConnectionStringTargets.MySql("Server=db;User ID=u;Password=p").Target!.Address);
        Assert.Equal("cache:6379,password=p", ConnectionStringTargets.Redis("cache:6379,password=p").Target!.Address);
    }

    [Theory]
    [InlineData("mysql://u:p@")]
    [InlineData("redis://:p@[::1")]
    [InlineData("redis://us,er:p@cache:6379")]
    public void A_broken_uri_is_an_error_that_does_not_quote_it(string connectionString)
    {
        var (target, error) = connectionString.StartsWith("mysql", StringComparison.Ordinal)
            ? ConnectionStringTargets.MySql(connectionString)
            : ConnectionStringTargets.Redis(connectionString);

        Assert.Null(target);
        Assert.DoesNotContain(":p@", error, StringComparison.Ordinal);
    }
}
