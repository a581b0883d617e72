using System.Net.Http.Json;
using System.Text.Json.Nodes;
using BuzzTalk.Scaler.Execution;
using BuzzTalk.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace BuzzTalk.Scaler.Tests.Execution;

/// <summary>
/// Start-up is not load: on the real swarm, a replica that burns its whole CPU limit while its
/// health check has not passed adds nothing, and the same replica, once healthy, scales.
/// </summary>
public sealed class StartingContainerTests
{
    [Fact]
    public async Task A_busy_container_counts_only_once_its_health_check_passes()
    {
        using var flag = new ScratchDirectory();
        await using var host = await LocalSwarmService.StartAsync("bt-starting-",
            ["--health-cmd", "test -e /flag/ready", "--health-interval", "1s", "--health-start-period", "10m",
             "--mount", $"type=bind,source={flag.Path},target=/flag,readonly"],
            ["sh", "-c", "while :; do :; done"], untilHealthy: false);
        var configuration = await host.ScalerConfigurationAsync(min: 1, max: 2);
        configuration["Scaler:Evaluator:Interval"] = "00:00:01";
        configuration["Scaler:Evaluator:Window"] = "00:00:03";
        configuration["Scaler:TargetTracking:ScaleUpStabilization"] = "00:00:02";
        await using var scaler = await ScalerHost.StartAsync(configuration);
        var evaluator = scaler.App.Services.GetRequiredService<ScaleEvaluator>();

        // Rounds enough to cover the window and the stabilization twice over: a busy healthy
        // replica scales within them (ScaleEvaluatorTests).
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(120));
        while (evaluator.Rounds < 10)
        {
            await Task.Delay(TimeSpan.FromMilliseconds(250), cts.Token);
        }

        Assert.DoesNotContain(await DecisionsAsync(scaler, cts.Token), d => d!["result"]!.GetValue<string>() == "scaled");
        Assert.Equal(1, await host.DesiredAsync());

        await File.WriteAllTextAsync(Path.Combine(flag.Path, "ready"), "", cts.Token);
        JsonArray decisions;
        while (!(decisions = await DecisionsAsync(scaler, cts.Token)).Any(d => d!["result"]!.GetValue<string>() == "scaled"))
        {
            await Task.Delay(TimeSpan.FromMilliseconds(250), cts.Token);
        }

        var scaled = Assert.Single(decisions, d => d!["result"]!.GetValue<string>() == "scaled");
        Assert.Equal(2, scaled!["to"]!.GetValue<int>());
        Assert.Equal(2, await host.DesiredAsync());
    }

    private static async Task<JsonArray> DecisionsAsync(WebServiceHost scaler, CancellationToken ct) =>
        (await scaler.Http.GetFromJsonAsync<JsonArray>("/api/decisions", ct))!;
}
