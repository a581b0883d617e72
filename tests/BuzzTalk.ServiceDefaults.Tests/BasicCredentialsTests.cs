using System.Text;

namespace BuzzTalk.ServiceDefaults.Tests;

/// <summary>The one basic-auth check the Scaler's webhooks and the Deployer's API share.</summary>
public sealed class BasicCredentialsTests
{
    private static readonly BasicCredentials s_credentials = new("alertmanager", "pa:ss wörd");

    private static string Header(string scheme, string userAndPassword) =>
        $"{scheme} {Convert.ToBase64String(Encoding.UTF8.GetBytes(userAndPassword))}";

    [Theory]
    [InlineData("Basic")]
    [InlineData("basic")]
    [InlineData("BASIC")]
    public void The_right_credentials_are_accepted_whatever_the_schemes_case(string scheme)
    {
        Assert.True(s_credentials.Accepts(Header(scheme, "alertmanager:pa:ss wörd")));
    }

    [Theory]
    [InlineData("alertmanager:pa:ss wörd2")]
    [InlineData("alertmanager:pa:ss")]
    [InlineData("alertmanager:")]
    [InlineData("Alertmanager:pa:ss wörd")]
    [InlineData("other:pa:ss wörd")]
    [InlineData("alertmanagerpa:ss wörd")]
    [InlineData("no colon at all")]
    public void Wrong_credentials_are_refused(string userAndPassword)
    {
        Assert.False(s_credentials.Accepts(Header("Basic", userAndPassword)));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("Basic")]
    [InlineData("Basic not-base64!!")]
    [InlineData("Bearer YWxlcnRtYW5hZ2VyOnBhOnNzIHfDtnJk")]
    public void Malformed_headers_are_refused(string? authorization)
    {
        Assert.False(s_credentials.Accepts(authorization));
    }

    [Theory]
    [InlineData("alertmanager", null)]
    [InlineData("alertmanager", "")]
    [InlineData("", "secret")]
    public void Without_a_configured_user_and_password_nothing_is_accepted(string user, string? password)
    {
        var credentials = new BasicCredentials(user, password);

        Assert.False(credentials.Accepts(Header("Basic", $"{user}:{password}")));
        Assert.False(credentials.Accepts(Header("Basic", ":")));
    }
}
