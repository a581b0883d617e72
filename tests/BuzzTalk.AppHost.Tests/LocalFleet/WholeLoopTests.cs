using System.Text.Json;
using Aspire.Hosting;
using Aspire.Hosting.ApplicationModel;
using Aspire.Hosting.Testing;
using BuzzTalk.Testing;

namespace BuzzTalk.AppHost.Tests.LocalFleet;

/// <summary>
/// The demo scenario end to end on the local fleet (this machine's swarm over SSH): the AppHost
/// starts with <c>BuzzTalk:Fleet=local</c> and its <c>demo</c> resource, which deploys the bundle
/// with the Deployer, loads the site until the Scaler adds a replica, deploys a new backend under
/// load, tries a broken one, and waits for the scale-down. The demo's own summary is asserted.
/// </summary>
[Collection(AppHostSerialGroup.Name)]
public sealed class WholeLoopTests
{
    private static readonly TimeSpan Limit = TimeSpan.FromMinutes(14);

    [Fact]
    public async Task Deploys_scale_up_and_down_and_roll_back_a_broken_backend_without_failing_a_request()
    {
        using var cts = new CancellationTokenSource(Limit);
        var images = await FleetImages.BuildAsync(cts.Token);
        using var state = new ScratchDirectory();
        string[] args =
        [
            "--BuzzTalk:LocalRuntime", "processes", "--BuzzTalk:StateDirectory", state.Path,
            "--BuzzTalk:Fleet", "local", "--BuzzTalk:LocalFleet:Demo", "run",
            .. images.Arguments,
        ];
        try
        {
            var builder = await DistributedApplicationTestingBuilder.CreateAsync<Projects.BuzzTalk_AppHost>(args, cts.Token);
            await using var app = await builder.BuildAsync(cts.Token);
            await app.StartAsync(cts.Token);
            var demo = await app.ResourceNotifications.WaitForResourceAsync("demo",
                e => e.Snapshot.State?.Text is "Finished" or "Exited" or "FailedToStart", cts.Token);

            using var summary = JsonDocument.Parse(await File.ReadAllTextAsync(Path.Combine(state.Path, "fleet", "demo-summary.json"), cts.Token));
            var root = summary.RootElement;
            Assert.True(root.GetProperty("passed").GetBoolean(), "the demo reported problems: " + root.GetProperty("problems"));
            Assert.Equal(0, demo.Snapshot.ExitCode);

            var deploys = root.GetProperty("deploys").EnumerateArray().ToDictionary(d => d.GetProperty("name").GetString()!);
            Assert.Equal("Deployed", deploys["first deploy"].GetProperty("outcome").GetString());
            var good = deploys["new backend"];
            Assert.Equal("Deployed", good.GetProperty("outcome").GetString());
            Assert.True(good.GetProperty("sent").GetInt64() > 50, "the good deploy ran under load");
            Assert.Equal(0, good.GetProperty("failed").GetInt64());
            Assert.Equal("RolledBack", deploys["broken backend"].GetProperty("outcome").GetString());
            Assert.True(root.GetProperty("leaseReleasedAfterRollback").GetBoolean());

            // The evaluator samples every 5 s over a 20 s window with a 10 s scale-up stabilization;
            // a new replica also needs its start-up and first health check.
            Assert.InRange(root.GetProperty("overloadToReplicaSeconds").GetDouble(), 1, 150);
            Assert.True(root.GetProperty("peakReplicas").GetInt32() >= 2);
            Assert.True(root.GetProperty("scaleDownSeconds").GetDouble() > 0);
            var decisions = root.GetProperty("decisions").EnumerateArray().ToList();
            Assert.Contains(decisions, d => d.GetProperty("result").GetString() == "scaled" && d.GetProperty("to").GetInt32() > d.GetProperty("from").GetInt32());
            Assert.Contains(decisions, d => d.GetProperty("result").GetString() == "scaled" && d.GetProperty("to").GetInt32() == 1);

            var targets = root.GetProperty("targets").EnumerateArray().ToList();
            foreach (var job in new[] { "node-exporter", "cadvisor" })
            {
                Assert.Contains(targets, t => t.GetProperty("job").GetString() == job && t.GetProperty("health").GetString() == "up");
            }

            Assert.True(root.GetProperty("alertReachedScaler").GetBoolean());
        }
        finally
        {
            // The fleet's stack outlives the AppHost on purpose (it is the instance's); not the test's.
            await DockerCli.RemoveStackAsync("buzztalk", TimeSpan.FromMinutes(2));
        }
    }
}
