using System.Text.Json;
using BuzzTalk.Testing;

namespace BuzzTalk.AppHost.Tests.Publishing.Stack;

/// <summary>The published stack on the real local swarm (eng/start-dockerd.sh), converging and serving.</summary>
public sealed class StackDeployTests
{
    private static readonly TimeSpan ConvergeTimeout = TimeSpan.FromMinutes(3);

    [Fact]
    public async Task The_published_stack_converges_and_nginx_reaches_every_backend_replica_through_swarm_dns()
    {
        await using var stack = await LocalStackDeployment.DeployAsync();
        await stack.WaitConvergedAsync(ConvergeTimeout);

        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{stack.FrontendPort}"), Timeout = TimeSpan.FromSeconds(10) };
        Assert.Equal("ok\n", await http.GetStringAsync("/healthz"));
        Assert.Contains("buzztalk test spa", await http.GetStringAsync("/some/client/route"), StringComparison.Ordinal);
        // /backend/ is stripped, and the env file named by BUZZTALK_ENV_DIR reached the backend.
        Assert.Equal("from-env-file\n", await http.GetStringAsync("/backend/db"));

        // A replica added after nginx started receives traffic: the resolver re-reads swarm DNS.
        await ToolRun.RunCheckedAsync("docker", Path.GetTempPath(), "service", "scale", "--detach", $"{stack.Name}_backend=2");
        await stack.WaitConvergedAsync(ConvergeTimeout);
        var seen = new HashSet<string>(StringComparer.Ordinal);
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        while (seen.Count < 2 && !cts.IsCancellationRequested)
        {
            seen.Add(await http.GetStringAsync("/backend/id", cts.Token));
            if (seen.Count < 2)
            {
                await Task.Delay(200, CancellationToken.None);
            }
        }

        Assert.Equal(2, seen.Count);
    }

    [Fact]
    public async Task The_deployed_services_carry_the_published_limits_restart_and_update_policies()
    {
        await using var stack = await LocalStackDeployment.DeployAsync();
        await stack.WaitConvergedAsync(ConvergeTimeout);

        using var backend = JsonDocument.Parse(await stack.ServiceAsync("inspect", "backend"));
        var spec = backend.RootElement[0].GetProperty("Spec");
        var task = spec.GetProperty("TaskTemplate");
        Assert.Equal(60_000_000, task.GetProperty("Resources").GetProperty("Limits").GetProperty("NanoCPUs").GetInt64());
        Assert.Equal(256L * 1024 * 1024, task.GetProperty("Resources").GetProperty("Limits").GetProperty("MemoryBytes").GetInt64());
        Assert.Equal(40_000_000, task.GetProperty("Resources").GetProperty("Reservations").GetProperty("NanoCPUs").GetInt64());
        Assert.Equal(180L * 1024 * 1024, task.GetProperty("Resources").GetProperty("Reservations").GetProperty("MemoryBytes").GetInt64());
        Assert.Equal(30_000_000_000, task.GetProperty("RestartPolicy").GetProperty("Delay").GetInt64());
        Assert.Equal(15, task.GetProperty("RestartPolicy").GetProperty("MaxAttempts").GetInt32());
        Assert.Equal("start-first", spec.GetProperty("UpdateConfig").GetProperty("Order").GetString());
        Assert.Equal("rollback", spec.GetProperty("UpdateConfig").GetProperty("FailureAction").GetString());
        Assert.Equal("dnsrr", spec.GetProperty("EndpointSpec").GetProperty("Mode").GetString());

        // The edge holds the host port (one task at a time, so it stops first); the SPA has no
        // port and rolls start-first behind it.
        using var edge = JsonDocument.Parse(await stack.ServiceAsync("inspect", "edge"));
        var port = edge.RootElement[0].GetProperty("Spec").GetProperty("EndpointSpec").GetProperty("Ports")[0];
        Assert.Equal("host", port.GetProperty("PublishMode").GetString());
        Assert.Equal(80, port.GetProperty("TargetPort").GetInt32());
        Assert.Equal("stop-first", edge.RootElement[0].GetProperty("Spec").GetProperty("UpdateConfig").GetProperty("Order").GetString());
        using var frontend = JsonDocument.Parse(await stack.ServiceAsync("inspect", "frontend"));
        Assert.False(frontend.RootElement[0].GetProperty("Spec").GetProperty("EndpointSpec").TryGetProperty("Ports", out _));
        Assert.Equal("start-first", frontend.RootElement[0].GetProperty("Spec").GetProperty("UpdateConfig").GetProperty("Order").GetString());

        using var exporter = JsonDocument.Parse(await stack.ServiceAsync("inspect", "node-exporter"));
        Assert.True(exporter.RootElement[0].GetProperty("Spec").GetProperty("Mode").TryGetProperty("Global", out _));
    }
}
