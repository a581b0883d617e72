using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using BuzzTalk.Deployer.Cli;
using BuzzTalk.Testing;

namespace BuzzTalk.Deployer.Tests.Rollout;

/// <summary>Service mode: the same rollout over the authenticated HTTP API the dashboard commands call.</summary>
public sealed class DeployerServiceTests
{
    [Fact]
    public async Task The_api_refuses_without_credentials_runs_one_deploy_at_a_time_and_reports_it()
    {
        await using var world = await DeployerWorld.StartAsync(backendOnly: true);
        await world.RenderEnvAsync();
        // Env files go to the host once, as render-env + deploy --env-dir would: the API deploys the bundle only.
        Assert.Equal(0, (await DeployerWorld.CliAsync("deploy", "--config", world.Settings(healthUrl: ""), "--bundle", world.BundleDirectory,
            "--env-dir", world.EnvDirectory)).Exit);

        var port = ServerProcess.FreePort();
        using var stop = new CancellationTokenSource();
        var service = DeployerCli.RunAsync(["serve", "--config", world.Settings(healthUrl: ""), "--urls", $"http://127.0.0.1:{port}",
            "--Deployer:Api:Password=Api-1f9e4c", $"--Deployer:Bundle={world.BundleDirectory}"], cancellationToken: stop.Token);
        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}"), Timeout = TimeSpan.FromSeconds(10) };
        await WaitHealthyAsync(http);

        using (var anonymous = await http.GetAsync(new Uri("/api/status", UriKind.Relative)))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
        }

        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes("deployer:Api-1f9e4c")));
        using var started = await http.PostAsJsonAsync("/api/deploy", new JsonObject { ["services"] = new JsonArray("backend"), ["imageTag"] = "v2" });
        Assert.Equal(HttpStatusCode.Accepted, started.StatusCode);
        var id = JsonNode.Parse(await started.Content.ReadAsStringAsync())!["id"]!.GetValue<string>();

        // A second operation while the first runs is refused.
        using (var second = await http.PostAsJsonAsync("/api/rollback", new JsonObject()))
        {
            Assert.Equal(HttpStatusCode.Conflict, second.StatusCode);
        }

        JsonNode? view;
        using var deadline = new CancellationTokenSource(TimeSpan.FromMinutes(3));
        do
        {
            await Task.Delay(500, deadline.Token);
            view = JsonNode.Parse(await http.GetStringAsync(new Uri($"/api/operations/{id}", UriKind.Relative), deadline.Token));
        }
        while (view?["state"]?.GetValue<string>() == "running");

        Assert.True(view?["state"]?.GetValue<string>() == "succeeded", view?.ToJsonString());
        var status = JsonNode.Parse(await http.GetStringAsync(new Uri("/api/status", UriKind.Relative)))!.AsArray();
        Assert.Equal("buzztalk/testapp:v2", status[0]!["services"]![0]!["image"]!.GetValue<string>());

        await stop.CancelAsync();
        Assert.Equal(0, await service.WaitAsync(TimeSpan.FromSeconds(30)));
    }

    private static async Task WaitHealthyAsync(HttpClient http)
    {
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        while (true)
        {
            try
            {
                using var response = await http.GetAsync(new Uri("/health", UriKind.Relative), deadline.Token);
                if (response.IsSuccessStatusCode)
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
                // Not listening yet.
            }

            await Task.Delay(200, deadline.Token);
        }
    }
}
