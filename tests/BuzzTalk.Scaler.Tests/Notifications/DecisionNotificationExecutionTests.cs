using System.Net;
using System.Net.Http.Headers;
using System.Text;
using BuzzTalk.Scaler.Tests.Webhooks;
using BuzzTalk.Testing;

namespace BuzzTalk.Scaler.Tests.Notifications;

/// <summary>A webhook that really scales a service on the local swarm is announced on (fake) Discord.</summary>
public sealed class DecisionNotificationExecutionTests : IAsyncLifetime
{
    private FakeDiscord? _discord;
    private WebhookScaler? _world;

    public async Task InitializeAsync()
    {
        _discord = await FakeDiscord.StartAsync();
        _world = await WebhookScaler.StartAsync("bt-notify-", "notify-test-password",
            (configuration, _) => configuration["Scaler:Discord:WebhookUrl"] = _discord.WebhookUrl);
    }

    public async Task DisposeAsync()
    {
        if (_world is not null)
        {
            await _world.DisposeAsync();
        }

        if (_discord is not null)
        {
            await _discord.DisposeAsync();
        }
    }

    [Fact]
    public async Task A_real_scale_up_is_posted_to_Discord()
    {
        using var response = await _world!.Alerts.PostAsync(GrafanaAlerts.SeedAlert(_world.Host.Name, target: 2, active: 1));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("\"scaled\"", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);

        var content = (await _discord!.NextAsync(TimeSpan.FromSeconds(30)))["content"]!.GetValue<string>();
        Assert.Contains("Scaled up", content, StringComparison.Ordinal);
        Assert.Contains($"`{_world.Host.Name}` on 127.0.0.1: 1 → 2", content, StringComparison.Ordinal);
        Assert.Contains("alert asks for 2", content, StringComparison.Ordinal);
        Assert.Contains("Grafana", content, StringComparison.Ordinal);
    }
}
