using System.Text.Json.Nodes;
using BuzzTalk.Scaler.Configuration;
using BuzzTalk.Scaler.Tests.Notifications;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace BuzzTalk.Scaler.Tests.Configuration;

/// <summary>
/// <c>Scaler:Services</c> is the whole list of what may be scaled: configuration replaces any
/// default rather than adding to it, and an empty list scales nothing and says so at start.
/// </summary>
public sealed class ConfiguredServicesTests
{
    [Fact]
    public async Task Only_the_configured_services_are_scaled_never_a_default_backend_or_frontend()
    {
        await using var world = await WebhookScaler.StartAsync("bt-only-", "scaler-only-password");
        var configured = world.ScalerServices.GetRequiredService<IOptions<ScalerOptions>>().Value.Services;
        Assert.Equal([world.Host.Name], configured.Keys);

        foreach (var service in new[] { "backend", "frontend" })
        {
            var outcome = Assert.Single(await GrafanaAlerts.OutcomesAsync(await world.Alerts.PostAsync(GrafanaAlerts.SeedAlert(service, 2, 1))));
            Assert.Equal("refused", outcome["result"]!.GetValue<string>());
            Assert.Contains("not configured as scalable", outcome["reason"]!.GetValue<string>(), StringComparison.Ordinal);
        }

        // The configured one still scales.
        var scaled = Assert.Single(await GrafanaAlerts.OutcomesAsync(await world.Alerts.PostAsync(GrafanaAlerts.SeedAlert(world.Host.Name, 2, 1))));
        Assert.Equal("scaled", scaled["result"]!.GetValue<string>());
    }

    [Fact]
    public async Task An_empty_configuration_scales_nothing_and_says_so_at_start()
    {
        var logs = new LogCapture();
        await using var scaler = await ScalerHost.StartAsync(DiscordRelayTests.Configuration(null), b => b.Logging.AddProvider(logs));

        Assert.Empty(scaler.App.Services.GetRequiredService<IOptions<ScalerOptions>>().Value.Services);
        Assert.Contains(logs.Lines, l => l.StartsWith("Warning", StringComparison.Ordinal) && l.Contains("no service will be scaled", StringComparison.Ordinal));

        var answer = await new GrafanaAlerts(scaler.Http, DiscordRelayTests.User, DiscordRelayTests.Password).PostAsync(GrafanaAlerts.SeedAlert("backend", 2, 1));
        var outcome = Assert.Single(await GrafanaAlerts.OutcomesAsync(answer));
        Assert.Equal("refused", outcome["result"]!.GetValue<string>());
        Assert.Contains("not configured as scalable", outcome["reason"]!.GetValue<string>(), StringComparison.Ordinal);
    }
}
