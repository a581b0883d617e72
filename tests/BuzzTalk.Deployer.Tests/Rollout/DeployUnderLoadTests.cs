using System.Runtime.Versioning;
using BuzzTalk.Testing;

namespace BuzzTalk.Deployer.Tests.Rollout;

/// <summary>
/// Every kind of deploy under chat load on the local fleet (see <see cref="DeployLoadScenario"/>):
/// what a chat user notices.
/// </summary>
[SupportedOSPlatform("linux")]
public sealed class DeployUnderLoadTests
{
    private static readonly ChatLoadShape Shape = new(Clients: 20, Rooms: 4, PostEvery: TimeSpan.FromSeconds(4), ProbeEvery: TimeSpan.FromMilliseconds(200));

    [Fact]
    public async Task Edge_config_frontend_and_backend_deploys_and_a_rollback_fail_no_request_close_sockets_only_with_1001_once_and_lose_no_message()
    {
        var images = await FleetImages.BuildAsync(CancellationToken.None);
        await using var scenario = await DeployLoadScenario.StartAsync(images.Backend);

        // Neither an edge reload nor a new SPA touches a websocket.
        foreach (var quiet in new[] { await scenario.EdgeConfigChangeAsync(Shape), await scenario.FrontendDeployAsync(Shape) })
        {
            AssertUnnoticed(quiet);
            Assert.Empty(quiet.Load.Disconnects);
        }

        using (var http = new HttpClient())
        {
            Assert.Equal("ok edge-1\n", await scenario.World.GetAsync(http, "/healthz"));
        }

        // A backend deploy and the rollback replace both replicas: each client moves at most once, to a new one.
        foreach (var moving in new[] { await scenario.BackendDeployAsync(Shape, images.BackendV2Tag), await scenario.RollbackAsync(Shape, images.Backend) })
        {
            AssertUnnoticed(moving);
            Assert.NotEmpty(moving.Load.Disconnects); // the old replicas' clients were moved
            var reconnected = moving.Load.Disconnects.Count(d => d.ReconnectedAfter <= TimeSpan.FromSeconds(5));
            Assert.True(reconnected >= 0.99 * moving.Load.Disconnects.Count, $"{moving.Kind}: {reconnected} of {moving.Load.Disconnects.Count} back within 5 s\n{moving.Load.Describe()}");
        }
    }

    private static void AssertUnnoticed(DeployUnderLoad deploy)
    {
        var load = deploy.Load;
        Assert.True(deploy.Exit == 0, $"{deploy.Kind}: {deploy.Output}");
        Assert.True(deploy.Settled, $"{deploy.Kind}: the backend or a client never settled\n{load.Describe()}");
        Assert.True(load.Posted > Shape.Clients, $"{deploy.Kind}: only {load.Posted} messages posted");
        Assert.True(load.Page.Sent > 20 && load.Api.Sent > 20, $"{deploy.Kind}: only {load.Page.Sent} and {load.Api.Sent} requests");
        Assert.True(load.FailedRequests == 0, $"{deploy.Kind}: {load.FailedRequests} of {load.Requests} requests failed\n{load.Describe()}");
        Assert.True(load.Disconnects.All(d => d.Code == 1001), $"{deploy.Kind}: a close other than 1001\n{load.Describe()}");
        Assert.True(load.Clients.All(c => c.Disconnects.Count <= 1), $"{deploy.Kind}: a client was dropped twice\n{load.Describe()}");
        Assert.True(load.Clients.All(c => c.Missing == 0), $"{deploy.Kind}: a client missed messages\n{load.Describe()}");
    }
}
