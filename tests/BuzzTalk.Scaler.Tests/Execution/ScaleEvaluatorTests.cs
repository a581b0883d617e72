using System.Net.Http.Json;
using System.Text.Json.Nodes;
using BuzzTalk.Fleet.Leases;
using BuzzTalk.Testing;

namespace BuzzTalk.Scaler.Tests.Execution;

/// <summary>
/// The Scaler's own evaluator against the real swarm: a service that burns its whole CPU limit
/// gets a second replica without any alert.
/// </summary>
public sealed class ScaleEvaluatorTests : IAsyncLifetime
{
    private LocalSwarmService? _host;

    private LocalSwarmService Host => _host!;

    // Busy-loops inside a 0.05 CPU limit: usage at 100 % of its limit, on any machine.
    public async Task InitializeAsync() => _host = await LocalSwarmService.StartAsync("bt-eval-", "sh", "-c", "while :; do :; done");

    public async Task DisposeAsync()
    {
        if (_host is not null)
        {
            await _host.DisposeAsync();
        }
    }

    private async Task<WebServiceHost> StartScalerAsync()
    {
        var configuration = await Host.ScalerConfigurationAsync(min: 1, max: 2);
        configuration["Scaler:Evaluator:Interval"] = "00:00:01";
        configuration["Scaler:Evaluator:Window"] = "00:00:03";
        configuration["Scaler:TargetTracking:ScaleUpStabilization"] = "00:00:02";
        return await ScalerHost.StartAsync(configuration);
    }

    private Task<int> DesiredAsync() => Host.DesiredAsync();

    [Fact]
    public async Task Sustained_overload_adds_a_replica_without_any_alert()
    {
        await using var scaler = await StartScalerAsync();

        // The decision is recorded once the second replica runs.
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(90));
        JsonArray? decisions;
        while (!(decisions = await scaler.Http.GetFromJsonAsync<JsonArray>("/api/decisions", cts.Token))!.Any(d => d!["result"]!.GetValue<string>() == "scaled"))
        {
            await Task.Delay(TimeSpan.FromMilliseconds(250), cts.Token);
        }

        Assert.Equal(2, await DesiredAsync());
        var scaled = Assert.Single(decisions!, d => d!["result"]!.GetValue<string>() == "scaled");
        Assert.Equal("Evaluator", scaled!["source"]!.GetValue<string>());
        Assert.Equal(1, scaled["from"]!.GetValue<int>());
        Assert.Equal(2, scaled["to"]!.GetValue<int>());
    }

    [Fact]
    public async Task While_the_deploy_lease_is_held_the_evaluator_defers()
    {
        await new DeployLease(Host.Session, Host.LeaseDirectory).AcquireAsync("deployer-test", "deploy", TimeSpan.FromMinutes(5));
        await using var scaler = await StartScalerAsync();

        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        JsonArray? decisions;
        while (!(decisions = await scaler.Http.GetFromJsonAsync<JsonArray>("/api/decisions", cts.Token))!.Any(d => d!["result"]!.GetValue<string>() == "deferred"))
        {
            await Task.Delay(TimeSpan.FromMilliseconds(250), cts.Token);
        }

        Assert.DoesNotContain(decisions!, d => d!["result"]!.GetValue<string>() == "scaled");
        Assert.Equal(1, await DesiredAsync());
    }
}
