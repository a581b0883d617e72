using System.Net.Http.Json;
using System.Text.Json.Nodes;
using BuzzTalk.Fleet.Swarm;

namespace BuzzTalk.Scaler.Tests.Execution;

/// <summary>
/// The SSH connection drops while the Scaler follows a new replica's start in the background (the
/// webhook was answered when the scale was issued): the decision's convergence ends as unknown
/// (not hung, not claimed done), nothing is left locked, and once SSH is back the next alert sees
/// the true state and converges.
/// </summary>
public sealed class SshDropTests : IAsyncLifetime
{
    private WebhookScaler? _world;

    private LocalSwarmService Host => _world!.Host;

    // New replicas take ~6 s to turn healthy, so the Scaler is still polling when SSH drops.
    public async Task InitializeAsync() =>
        _world = await WebhookScaler.StartAsync("bt-drop-", "scaler-drop-password",
            (configuration, _) =>
            {
                configuration["Scaler:ConvergenceTimeout"] = "00:00:45";
                configuration["Scaler:Ssh:ConnectTimeout"] = "00:00:03";
            },
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
    public async Task An_ssh_drop_while_following_a_scale_ends_its_convergence_as_unknown_and_leaves_a_state_the_next_alert_completes()
    {
        // Answered once issued: swarm wants 2 and the new task is still starting. Drop SSH now.
        var issued = Assert.Single(await OutcomesAsync(await PostAsync(Alert(target: 2, active: 1))));
        Assert.Equal("scaled", issued["result"]!.GetValue<string>());
        Assert.Equal("pending", issued["convergence"]!.GetValue<string>());
        Assert.Equal(2, await Host.DesiredAsync());
        await Host.StopSshAsync();

        // The background watch fails on the dropped connection instead of claiming the count runs.
        using (var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(90)))
        {
            JsonNode? decision;
            while ((decision = (await _world!.Http.GetFromJsonAsync<JsonArray>("/api/decisions", deadline.Token))!.Single())!["convergence"]!.GetValue<string>() == "pending")
            {
                await Task.Delay(TimeSpan.FromMilliseconds(200), deadline.Token);
            }

            Assert.Equal("unknown", decision["convergence"]!.GetValue<string>());
        }

        // SSH back: the same alert is answered from the real state, which swarm completed meanwhile.
        await Host.StartSshAgainAsync();
        Assert.Equal(2, await Host.WaitForRunningAsync(2));
        using var again = await PostAsync(Alert(target: 2, active: 1)).WaitAsync(TimeSpan.FromSeconds(60));
        var second = Assert.Single(await OutcomesAsync(again));
        Assert.Equal("unchanged", second["result"]!.GetValue<string>());
        Assert.Equal(2, second["to"]!.GetValue<int>());

        // And nothing stayed locked: scaling back works.
        using var down = await PostAsync(Alert(target: 1, active: 2)).WaitAsync(TimeSpan.FromSeconds(60));
        Assert.Equal("scaled", Assert.Single(await OutcomesAsync(down))["result"]!.GetValue<string>());
        Assert.Equal(1, await Host.DesiredAsync());
    }

    private byte[] Alert(int target, int active) => GrafanaAlerts.SeedAlert(Host.Name, target, active);

    private Task<HttpResponseMessage> PostAsync(byte[] body) => _world!.Alerts.PostAsync(body);

    private static Task<List<JsonNode>> OutcomesAsync(HttpResponseMessage response) => GrafanaAlerts.OutcomesAsync(response);
}
