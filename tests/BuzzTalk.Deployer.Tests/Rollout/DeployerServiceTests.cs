using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using BuzzTalk.Deployer.Cli;
using BuzzTalk.Testing;

namespace BuzzTalk.Deployer.Tests.Rollout;

/// <summary>Service mode: the same rollout over the authenticated HTTP API the dashboard commands call.</summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
[Collection(DeployerServiceGroup.Name)]
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

        var view = await FinishedOperationAsync(http, id);

        Assert.True(view?["state"]?.GetValue<string>() == "succeeded", view?.ToJsonString());
        var status = JsonNode.Parse(await http.GetStringAsync(new Uri("/api/status", UriKind.Relative)))!.AsArray();
        Assert.Equal("buzztalk/testapp:v2", status[0]!["services"]![0]!["image"]!.GetValue<string>());

        await stop.CancelAsync();
        Assert.Equal(0, await service.WaitAsync(TimeSpan.FromSeconds(30)));
    }

    [Fact]
    public async Task With_an_env_file_the_service_renders_it_and_uploads_the_instances_files_on_every_deploy()
    {
        await using var world = await DeployerWorld.StartAsync(backendOnly: true);
        var broken = Path.Combine(world.Root, "broken.env");
        await File.WriteAllTextAsync(broken, "MYSQL_DB_PASSWORD=Pw-Broken-77\nREDIS_URL=not a url\n");
        var port = ServerProcess.FreePort();
        using var stop = new CancellationTokenSource();
        var envFile = Path.Combine(world.Root, "test.env");
        var service = DeployerCli.RunAsync(["serve", "--config", world.Settings(healthUrl: ""), "--urls", $"http://127.0.0.1:{port}",
            "--Deployer:Api:Password=Api-7c1d", $"--Deployer:Bundle={world.BundleDirectory}", $"--Deployer:EnvFile={broken}"], cancellationToken: stop.Token);
        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}"), Timeout = TimeSpan.FromSeconds(10) };
        await WaitHealthyAsync(http);
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes("deployer:Api-7c1d")));

        // A bad .env stops the deploy before anything reaches the host, and its answer shows no value.
        using (var refused = await http.PostAsJsonAsync("/api/deploy", new JsonObject()))
        {
            var body = await refused.Content.ReadAsStringAsync();
            Assert.Equal(HttpStatusCode.ServiceUnavailable, refused.StatusCode);
            Assert.Contains("REDIS_URL", body, StringComparison.Ordinal);
            Assert.DoesNotContain("Pw-Broken-77", body, StringComparison.Ordinal);
            Assert.False(File.Exists(world.HostPath("local", "env", "backend.env")));
        }

        // The same file fixed in place: read at the next deploy, no restart.
        File.Copy(envFile, broken, overwrite: true);
        using var started = await http.PostAsJsonAsync("/api/deploy", new JsonObject());
        Assert.Equal(HttpStatusCode.Accepted, started.StatusCode);
        var id = JsonNode.Parse(await started.Content.ReadAsStringAsync())!["id"]!.GetValue<string>();
        var view = await FinishedOperationAsync(http, id);

        Assert.True(view?["state"]?.GetValue<string>() == "succeeded", view?.ToJsonString());
        var uploaded = world.HostPath("local", "env", "backend.env");
        Assert.Contains("MYSQL_DB_NAME=from-deployer", await File.ReadAllTextAsync(uploaded), StringComparison.Ordinal);
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(uploaded));

        await stop.CancelAsync();
        Assert.Equal(0, await service.WaitAsync(TimeSpan.FromSeconds(30)));
    }

    /// <summary>Follows an operation until it no longer runs; its last view.</summary>
    private static async Task<JsonNode?> FinishedOperationAsync(HttpClient http, string id)
    {
        JsonNode? view;
        using var deadline = new CancellationTokenSource(TimeSpan.FromMinutes(3));
        do
        {
            await Task.Delay(500, deadline.Token);
            view = JsonNode.Parse(await http.GetStringAsync(new Uri($"/api/operations/{id}", UriKind.Relative), deadline.Token));
        }
        while (view?["state"]?.GetValue<string>() == "running");
        return view;
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
