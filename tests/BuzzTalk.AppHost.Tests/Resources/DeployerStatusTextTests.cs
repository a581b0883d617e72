using System.Text.Json.Nodes;
using BuzzTalk.AppHost.Resources;

namespace BuzzTalk.AppHost.Tests.Resources;

/// <summary>What the dashboard's Status command shows from the Deployer's <c>/api/status</c>.</summary>
public sealed class DeployerStatusTextTests
{
    // Two instances as the Deployer answers (camelCase): one on the desired release, one replaced and still booting.
    private const string Status = """
        [
          { "instance": "app-1", "message": "ok", "services": [ { "name": "buzztalk_backend", "image": "ghcr.io/acme/backend:v2", "running": 2, "desired": 2 } ],
            "running": { "revision": 7, "release": "0123456789ab" }, "desiredRevision": 7 },
          { "instance": "app-2", "message": "stack buzztalk is not deployed", "services": [], "desiredRevision": 7,
            "drift": "runs no recorded release: waiting for its first boot or deploy" }
        ]
        """;

    [Fact]
    public void Each_instance_shows_the_release_it_runs_against_the_desired_one()
    {
        var text = DeployerDashboardCommands.StatusText(JsonNode.Parse(Status), "backend");

        Assert.Equal(
            "app-1: ok; ghcr.io/acme/backend:v2 2/2; runs r7 0123456789ab, the desired release\n"
            + "app-2: stack buzztalk is not deployed; DRIFT from desired r7: runs no recorded release: waiting for its first boot or deploy",
            text);
    }

    [Fact]
    public void Without_a_desired_release_only_the_services_are_shown()
    {
        var text = DeployerDashboardCommands.StatusText(JsonNode.Parse("""[ { "instance": "local", "message": "ok", "services": [] } ]"""), "backend");

        Assert.Equal("local: ok", text);
    }
}
