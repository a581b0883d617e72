using System.Diagnostics;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace BuzzTalk.Scaler.Tests.Execution;

/// <summary>
/// A scale-up is answered once the engine took the new count, not once the new replica runs;
/// its convergence is followed in the background and shows in <c>/api/decisions</c> and the
/// metrics. The real swarm, over real SSH, with a replica that takes ~6 s to turn healthy.
/// </summary>
[Collection(MetricsExportGroup.Name)]
public sealed class ConvergenceTests : IAsyncLifetime
{
    private WebhookScaler? _world;

    private WebhookScaler World => _world!;

    public async Task InitializeAsync() =>
        _world = await WebhookScaler.StartAsync("bt-conv-", "scaler-convergence-password",
            (configuration, _) => configuration["Scaler:ConvergenceTimeout"] = "00:01:00",
            ["--health-cmd", "test -f /tmp/ready", "--health-interval", "1s", "--health-retries", "30"],
            "sh", "-c", "sleep 6; touch /tmp/ready; exec httpd -f -p 8080 -h /www");

    public async Task DisposeAsync()
    {
        if (_world is not null)
        {
            await _world.DisposeAsync();
        }
    }

    [Fact]
    public async Task A_scale_up_is_answered_before_the_new_replica_runs_and_its_convergence_shows_later()
    {
        var watch = Stopwatch.StartNew();
        var outcome = Assert.Single(await GrafanaAlerts.OutcomesAsync(await World.Alerts.PostAsync(GrafanaAlerts.SeedAlert(World.Host.Name, target: 2, active: 1))));
        var answeredAfter = watch.Elapsed;

        Assert.Equal("scaled", outcome["result"]!.GetValue<string>());
        Assert.Equal("pending", outcome["convergence"]!.GetValue<string>());
        Assert.Equal(2, await World.Host.DesiredAsync());
        // The new replica needs 6 s to turn healthy: the answer did not wait for it.
        Assert.True(answeredAfter < TimeSpan.FromSeconds(5), $"answered after {answeredAfter.TotalMilliseconds:0} ms");
        Assert.Equal(1, await World.Host.LocalRunningAsync());

        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(90));
        JsonNode decision;
        while ((decision = (await World.Http.GetFromJsonAsync<JsonArray>("/api/decisions", deadline.Token))!.Single()!)["convergence"]!.GetValue<string>() == "pending")
        {
            await Task.Delay(TimeSpan.FromMilliseconds(200), deadline.Token);
        }

        Assert.Equal("converged", decision["convergence"]!.GetValue<string>());
        Assert.Equal(2, decision["running"]!.GetValue<int>());
        Assert.True(decision["convergedMs"]!.GetValue<double>() > decision["issuedMs"]!.GetValue<double>() + 3000,
            $"converged after {decision["convergedMs"]} ms, issued after {decision["issuedMs"]} ms");

        // Both series come from one scrape, but the exporter may answer from its short cache:
        // wait for the scrape that shows the convergence, and say what it held if it never does.
        var converged = new Regex("^buzztalk_scaler_convergence_duration_seconds_count\\{[^}]*result=\"converged\"[^}]*\\} 1( |$)", RegexOptions.Multiline);
        var noneLeft = new Regex("^buzztalk_scaler_convergence_pending(_total)?(\\{[^}]*\\})? 0( |$)", RegexOptions.Multiline);
        var lines = "";
        try
        {
            while (true)
            {
                var metrics = await World.Http.GetStringAsync("/metrics", deadline.Token);
                lines = string.Join('\n', metrics.Split('\n').Where(l => l.StartsWith("buzztalk_scaler_convergence", StringComparison.Ordinal)));
                if (converged.IsMatch(metrics) && noneLeft.IsMatch(metrics))
                {
                    break;
                }

                await Task.Delay(TimeSpan.FromMilliseconds(200), deadline.Token);
            }
        }
        catch (OperationCanceledException)
        {
            Assert.Fail($"the metrics never showed one converged scale and none pending:\n{lines}");
        }
    }
}
