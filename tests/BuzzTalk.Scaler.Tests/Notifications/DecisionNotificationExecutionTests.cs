using System.Net;
using System.Net.Http.Headers;
using System.Text;
using BuzzTalk.Scaler.Tests.Webhooks;
using BuzzTalk.Testing;

namespace BuzzTalk.Scaler.Tests.Notifications;

/// <summary>A webhook that really scales a service on the local swarm is announced on (fake) Discord.</summary>
public sealed class DecisionNotificationExecutionTests : IAsyncLifetime
{
    private const string User = "grafana";
    private const string Password = "notify-test-password";
    private LocalSwarmService? _host;
    private FakeDiscord? _discord;
    private WebServiceHost? _scaler;

    public async Task InitializeAsync()
    {
        _discord = await FakeDiscord.StartAsync();
        _host = await LocalSwarmService.StartAsync("bt-notify-");
        var configuration = await _host.ScalerConfigurationAsync(min: 1, max: 3);
        configuration["Scaler:Webhooks:Username"] = User;
        configuration["Scaler:Webhooks:Password"] = Password;
        configuration["Scaler:Evaluator:Enabled"] = "false";
        configuration["Scaler:Discord:WebhookUrl"] = _discord.WebhookUrl;
        _scaler = await ScalerHost.StartAsync(configuration);
    }

    public async Task DisposeAsync()
    {
        if (_scaler is not null)
        {
            await _scaler.DisposeAsync();
        }

        if (_host is not null)
        {
            await _host.DisposeAsync();
        }

        if (_discord is not null)
        {
            await _discord.DisposeAsync();
        }
    }

    [Fact]
    public async Task A_real_scale_up_is_posted_to_Discord()
    {
        using var response = await new GrafanaAlerts(_scaler!.Http, User, Password).PostAsync(GrafanaAlerts.SeedAlert(_host!.Name, target: 2, active: 1));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("\"scaled\"", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);

        var content = (await _discord!.NextAsync(TimeSpan.FromSeconds(30)))["content"]!.GetValue<string>();
        Assert.Contains("Scaled up", content, StringComparison.Ordinal);
        Assert.Contains($"`{_host!.Name}` on 127.0.0.1: 1 → 2", content, StringComparison.Ordinal);
        Assert.Contains("alert asks for 2", content, StringComparison.Ordinal);
        Assert.Contains("Grafana", content, StringComparison.Ordinal);
    }
}
