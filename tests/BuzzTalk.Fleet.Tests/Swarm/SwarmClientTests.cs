using System.Globalization;
using BuzzTalk.Fleet.Ssh;
using BuzzTalk.Fleet.Swarm;
using BuzzTalk.Testing;

namespace BuzzTalk.Fleet.Tests.Swarm;

/// <summary>
/// Swarm operations on the real local dockerd swarm (eng/start-dockerd.sh), reached over real SSH
/// on loopback, on a service made from the busybox test image.
/// </summary>
public sealed class SwarmClientTests : IAsyncLifetime
{
    private const string Image = "buzztalk/busybox:test";
    private readonly string _service = "bt-test-" + Guid.NewGuid().ToString("N")[..8];
    private SshServer? _server;
    private SshHostSession? _session;

    private SwarmClient Swarm => new(_session!);

    public async Task InitializeAsync()
    {
        _server = await SshServer.StartAsync();
        _session = new SshHostSession("127.0.0.1", new SshHostOptions
        {
            User = _server.User,
            PrivateKeyFile = _server.ClientKeyFile,
            Port = _server.Port,
        }, KnownHosts.Parse(_server.KnownHostsLine));
        await DockerCli.RunAsync("service", "create", "--detach", "--name", _service, "--replicas", "1",
            "--limit-cpu", "0.06", "--limit-memory", "64M", "--reserve-cpu", "0.04", "--reserve-memory", "32M", Image);
    }

    public async Task DisposeAsync()
    {
        await DockerCli.TryRunAsync("service", "rm", _service);
        if (_session is not null)
        {
            await _session.DisposeAsync();
        }

        if (_server is not null)
        {
            await _server.DisposeAsync();
        }
    }

    [Fact]
    public async Task A_scale_up_and_down_is_seen_in_the_tasks()
    {
        await using var engine = new HostEngine(_session!);
        Assert.Equal(1, await WaitForRunningAsync(engine, 1));
        Assert.Equal(1, (await Swarm.TasksAsync(_service)).Count(t => t.IsRunning));

        await DockerCli.RunAsync("service", "scale", "--detach", $"{_service}=2");
        Assert.Equal(2, await WaitForRunningAsync(engine, 2));
        Assert.Equal(2, (await Swarm.TasksAsync(_service)).Count(t => t.IsRunning));

        await DockerCli.RunAsync("service", "scale", "--detach", $"{_service}=1");
        Assert.Equal(1, await WaitForRunningAsync(engine, 1));
        Assert.Equal(1, (await Swarm.TasksAsync(_service)).Count(t => t.IsRunning));
    }

    [Fact]
    public async Task Task_health_is_the_containers_health_check_verdict_or_none_without_one()
    {
        var checkedService = _service + "-hc";
        await DockerCli.RunAsync("service", "create", "--detach", "--name", checkedService, "--replicas", "1", "--limit-cpu", "0.05", "--limit-memory", "32M",
            "--health-cmd", "test -e /tmp/ready", "--health-interval", "1s", "--health-retries", "100", Image,
            "sh", "-c", "sleep 5; touch /tmp/ready; exec sleep 1d");
        try
        {
            await using var engine = new HostEngine(_session!);
            Assert.Equal(1, await WaitForRunningAsync(engine, 1));
            var running = Assert.Single(await Swarm.TasksAsync(_service), t => t.IsRunning);
            Assert.Equal(new Dictionary<string, string> { [running.Id] = "none" }, await Swarm.TaskHealthAsync(_service));

            // Swarm reports the task running while its check has not passed yet: starting, then healthy.
            var seen = new List<string>();
            using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(60));
            while (seen.LastOrDefault() != "healthy")
            {
                var health = await Swarm.TaskHealthAsync(checkedService, deadline.Token);
                if (health.Count == 1 && health.Values.Single() != seen.LastOrDefault())
                {
                    seen.Add(health.Values.Single());
                }

                await Task.Delay(TimeSpan.FromMilliseconds(200), deadline.Token);
            }

            Assert.Equal(["starting", "healthy"], seen);
            var task = Assert.Single(await Swarm.TasksAsync(checkedService), t => t.IsRunning);
            Assert.Equal(task.Id, Assert.Single(await Swarm.TaskHealthAsync(checkedService)).Key);
        }
        finally
        {
            await DockerCli.TryRunAsync("service", "rm", checkedService);
        }
    }

    [Theory]
    [InlineData("backend; rm -rf /")]
    [InlineData("$(id)")]
    [InlineData("../etc")]
    [InlineData("")]
    public async Task Invalid_service_names_are_refused_before_anything_is_sent(string service)
    {
        await Assert.ThrowsAnyAsync<ArgumentException>(() => Swarm.TasksAsync(service));
        await Assert.ThrowsAnyAsync<ArgumentException>(() => Swarm.UpdateImageAsync(service, Image));
        await Assert.ThrowsAnyAsync<ArgumentException>(() => Swarm.RollbackAsync(service));

        Assert.Equal(0, _session!.Connections);
    }

    [Fact]
    public async Task A_service_that_does_not_exist_reports_dockers_error()
    {
        var error = await Assert.ThrowsAsync<SwarmCommandException>(() => Swarm.TasksAsync("bt-test-missing"));

        Assert.Contains("bt-test-missing", error.Message, StringComparison.Ordinal);
    }

    private Task<int> WaitForRunningAsync(HostEngine engine, int replicas) =>
        engine.WaitForRunningAsync(_service, replicas, TimeSpan.FromSeconds(60), TimeSpan.FromMilliseconds(200), TimeSpan.FromSeconds(30));
}
