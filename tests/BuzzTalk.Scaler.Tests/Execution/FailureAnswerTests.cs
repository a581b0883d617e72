using System.Net;
using System.Text.Json.Nodes;
using BuzzTalk.Fleet.Local;

namespace BuzzTalk.Scaler.Tests.Execution;

/// <summary>
/// A scale that failed is not answered 200: a failure a retry can cure (the host's sshd down,
/// Discovery unreachable) is 503 with Retry-After, which Alertmanager retries; a refusal that needs
/// a person (the host's key changed) is 422, which it does not retry but sends again at the
/// group's next interval. Real sshd and swarm.
/// </summary>
public sealed class FailureAnswerTests : IAsyncLifetime
{
    private WebhookScaler? _world;

    private WebhookScaler World => _world!;

    public async Task InitializeAsync() =>
        _world = await WebhookScaler.StartAsync("bt-fail-", "scaler-failure-password",
            (configuration, _) => configuration["Scaler:Ssh:ConnectTimeout"] = "00:00:03");

    public async Task DisposeAsync()
    {
        if (_world is not null)
        {
            await _world.DisposeAsync();
        }
    }

    [Fact]
    public async Task An_unreachable_host_is_a_503_with_Retry_After_and_the_retry_scales_once_it_is_back()
    {
        await World.Host.StopSshAsync();

        using var failed = await World.Alerts.PostAsync(GrafanaAlerts.SeedAlert(World.Host.Name, target: 2, active: 1));

        Assert.Equal(HttpStatusCode.ServiceUnavailable, failed.StatusCode);
        Assert.NotNull(failed.Headers.RetryAfter);
        var outcome = Assert.Single(await OutcomesAsync(failed));
        Assert.Equal("failed", outcome["result"]!.GetValue<string>());
        Assert.True(outcome["transient"]!.GetValue<bool>());
        Assert.Equal(1, await World.Host.DesiredAsync());

        await World.Host.StartSshAgainAsync();
        using var retried = await World.Alerts.PostAsync(GrafanaAlerts.SeedAlert(World.Host.Name, target: 2, active: 1));
        Assert.Equal(HttpStatusCode.OK, retried.StatusCode);
        Assert.Equal("scaled", Assert.Single(await OutcomesAsync(retried))["result"]!.GetValue<string>());
        Assert.Equal(2, await World.Host.DesiredAsync());
    }

    [Fact]
    public async Task A_changed_host_key_is_a_422_that_is_not_retried_at_once()
    {
        await World.Host.ReplaceHostKeyAsync();

        using var refused = await World.Alerts.PostAsync(GrafanaAlerts.SeedAlert(World.Host.Name, target: 2, active: 1));

        Assert.Equal(HttpStatusCode.UnprocessableEntity, refused.StatusCode);
        var outcome = Assert.Single(await OutcomesAsync(refused));
        Assert.Equal("failed", outcome["result"]!.GetValue<string>());
        Assert.False(outcome["transient"]!.GetValue<bool>());
        Assert.Contains("CHANGED", outcome["reason"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Equal(1, await World.Host.DesiredAsync());
    }

    [Fact]
    public async Task An_unreachable_Discovery_is_a_503_not_a_500()
    {
        var configuration = await World.Host.ScalerConfigurationAsync(min: 1, max: 3);
        configuration["Scaler:Webhooks:Username"] = WebhookScaler.User;
        configuration["Scaler:Webhooks:Password"] = World.Password;
        configuration["Scaler:Evaluator:Enabled"] = "false";
        // Nothing listens there.
        configuration["Scaler:DiscoveryUrl"] = $"http://127.0.0.1:{LoopbackPort.Find()}/sd/targets";
        await using var scaler = await ScalerHost.StartAsync(configuration);

        using var answer = await new GrafanaAlerts(scaler.Http, WebhookScaler.User, World.Password).PostAsync(GrafanaAlerts.SeedAlert(World.Host.Name, 2, 1));

        Assert.Equal(HttpStatusCode.ServiceUnavailable, answer.StatusCode);
        Assert.True(Assert.Single(await OutcomesAsync(answer))["transient"]!.GetValue<bool>());
        Assert.Equal(1, await World.Host.DesiredAsync());
    }

    /// <summary>The per-alert outcomes, whatever the status.</summary>
    private static async Task<List<JsonNode>> OutcomesAsync(HttpResponseMessage response) =>
        [.. JsonNode.Parse(await response.Content.ReadAsStringAsync())!["outcomes"]!.AsArray().Select(o => o!)];
}
