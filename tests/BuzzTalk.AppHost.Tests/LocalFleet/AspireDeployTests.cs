using System.Net;
using BuzzTalk.Fleet.Leases;

namespace BuzzTalk.AppHost.Tests.LocalFleet;

/// <summary>
/// <c>aspire deploy</c> (the Aspire CLI, a local tool) against the running local fleet: it
/// publishes the model and rolls it out with the Deployer, each instance a task of the pipeline
/// with its steps logged, and exits with the Deployer's code: 0 deployed, 1 rolled back, 3 the
/// lease was held.
/// </summary>
[Collection(AppHostSerialGroup.Name)]
public sealed class AspireDeployTests
{
    private static readonly TimeSpan Limit = TimeSpan.FromMinutes(12);

    [Fact]
    public async Task Aspire_deploy_rolls_out_to_the_local_fleet_rolls_a_broken_backend_back_and_respects_the_lease()
    {
        using var cts = new CancellationTokenSource(Limit);
        await using var fleet = await AspireDeployFleet.StartAsync(cts.Token);

        // The whole stack, first deploy: the instance's steps and outcome reported, the site answers.
        var (exit, output) = await fleet.DeployAsync();
        Assert.True(exit == 0, output);
        Assert.True(output.Contains("local-1: lease acquired", StringComparison.Ordinal), output);
        Assert.True(output.Contains("local-1: Deployed", StringComparison.Ordinal), output);
        using var http = new HttpClient { BaseAddress = fleet.Site, Timeout = TimeSpan.FromSeconds(10) };
        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync("/backend/health", cts.Token)).StatusCode);

        // The same from settings that list the instances themselves (no Discovery): the cloud's other inventory.
        (exit, output) = await fleet.DeployAsync("--BuzzTalk:Deploy:Config", fleet.WriteStaticInventorySettings(), "--BuzzTalk:Deploy:Services", "backend",
            "--BuzzTalk:Deploy:ImageTag", fleet.Images.BackendV2Tag);
        Assert.True(exit == 0, output);
        Assert.True(output.Contains("local-1: Deployed", StringComparison.Ordinal), output);
        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync("/backend/health", cts.Token)).StatusCode);

        // A backend that never turns healthy: rolled back, exit 1, the site still answers.
        (exit, output) = await fleet.DeployAsync("--BuzzTalk:Deploy:Services", "backend", "--BuzzTalk:Deploy:ImageTag", fleet.Images.BackendBrokenTag);
        Assert.True(exit == 1, output);
        Assert.True(output.Contains("local-1: RolledBack", StringComparison.Ordinal), output);
        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync("/backend/health", cts.Token)).StatusCode);

        // Another holder keeps the instance's lease: nothing changes, exit 3.
        var (session, leaseDirectory) = fleet.Instance();
        await using (session)
        {
            var lease = new DeployLease(session, leaseDirectory);
            var held = await lease.AcquireAsync("operator@test", "maintenance", TimeSpan.FromMinutes(5), cts.Token);
            (exit, output) = await fleet.DeployAsync();
            Assert.True(exit == 3, output);
            Assert.True(output.Contains("local-1: LeaseBusy", StringComparison.Ordinal), output);
            Assert.True(await lease.ReleaseAsync(held, cts.Token));
        }
    }
}
