namespace BuzzTalk.Scaler.Tests.Webhooks;

/// <summary>
/// Methods are case-sensitive (RFC 9110): a valid scaling alert sent as <c>post</c> or
/// <c>PoSt</c> is answered 405 and scales nothing on the real swarm.
/// </summary>
public sealed class MethodTests : IAsyncLifetime
{
    private WebhookScaler? _world;

    public async Task InitializeAsync() => _world = await WebhookScaler.StartAsync("bt-method-", "scaler-method-password");

    public async Task DisposeAsync()
    {
        if (_world is not null)
        {
            await _world.DisposeAsync();
        }
    }

    [Fact]
    public async Task Anything_but_exactly_POST_is_405_and_scales_nothing()
    {
        var world = _world!;
        var alert = GrafanaAlerts.SeedAlert(world.Host.Name, target: 2, active: 1);
        var credentials = RawHttp.Authorization(WebhookScaler.User, world.Password);

        foreach (var method in new[] { "post", "PoSt", "Post" })
        {
            var answer = await RawHttp.SendAsync(world.Address, method, "/api/webhooks/grafana", alert, credentials);
            Assert.Equal(405, answer.Status);
            Assert.Contains("Allow: POST", answer.Head, StringComparison.Ordinal);
        }

        Assert.Equal(405, (await RawHttp.SendAsync(world.Address, "post", "/api/webhooks/alertmanager", alert, credentials)).Status);
        Assert.Equal(405, (await RawHttp.SendAsync(world.Address, "post", "/api/notify/discord", alert, credentials)).Status);
        Assert.Equal(1, await world.Host.DesiredAsync());

        // The same bytes as POST scale.
        Assert.Equal(200, (await RawHttp.SendAsync(world.Address, "POST", "/api/webhooks/grafana", alert, credentials)).Status);
        Assert.Equal(2, await world.Host.DesiredAsync());
    }
}
