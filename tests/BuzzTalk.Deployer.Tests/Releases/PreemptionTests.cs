using System.Net.WebSockets;
using System.Runtime.Versioning;
using BuzzTalk.Publishing.Startup;
using BuzzTalk.Testing;

namespace BuzzTalk.Deployer.Tests.Releases;

/// <summary>
/// A preemption notice on the local fleet with two instances behind a balancer that uses the
/// published health check (see <see cref="PreemptionScenario"/>).
/// </summary>
[SupportedOSPlatform("linux")]
public sealed class PreemptionTests
{
    [Fact]
    public async Task At_a_notice_the_leaving_instances_websocket_clients_get_1001_at_once_and_reconnect_to_the_other_and_no_request_fails()
    {
        var images = await FleetImages.BuildAsync(CancellationToken.None);
        await using var scenario = await PreemptionScenario.StartAsync(images.Backend);

        var result = await scenario.RunAsync(clients: 8, deadline: TimeSpan.FromMinutes(2));

        Assert.True(result.ShutdownExit == 0, result.ShutdownOutput);
        Assert.Contains("preempted: TRUE", result.ShutdownOutput, StringComparison.Ordinal);
        // The balancer spread the clients over both instances; those on the leaving one were closed.
        var closed = result.Clients.Where(c => c.CloseStatus is not null).ToList();
        Assert.NotEmpty(closed);
        Assert.NotEqual(result.Clients.Count, closed.Count);
        foreach (var client in closed)
        {
            Assert.Equal(WebSocketCloseStatus.EndpointUnavailable, client.CloseStatus); // 1001, going away
            // At the notice, not once the balancer's check has run out.
            Assert.True(client.Closed < TimeSpan.FromSeconds(StartupScriptsGenerator.DrainSeconds), $"client {client.Client} closed after {client.Closed}");
            Assert.True(client.Reconnected is not null, $"client {client.Client} never got back in");
        }

        // Every new socket outlived the leaving instance's backends: it is on the staying instance.
        Assert.Equal(closed.Count, result.ReconnectedStillOpen);
        Assert.True(result.Http.Sent > 20, $"only {result.Http.Sent} requests");
        Assert.True(result.Http.Failures.Count == 0, string.Join("\n", result.Http.Failures));
        Assert.False((await scenario.Balancer.InRotationAsync())["leaving"]);
        Assert.True((await scenario.Balancer.InRotationAsync())["staying"]);
    }
}
