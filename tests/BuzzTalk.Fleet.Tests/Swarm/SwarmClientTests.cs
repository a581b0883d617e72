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
    public async Task A_scale_up_and_down_is_seen_in_the_tasks_until_it_converges()
    {
        Assert.Equal(1, await Swarm.WaitForRunningAsync(_service, 1, TimeSpan.FromSeconds(60), TimeSpan.FromMilliseconds(200)));

        await DockerCli.RunAsync("service", "scale", "--detach", $"{_service}=2");
        Assert.Equal(2, await Swarm.WaitForRunningAsync(_service, 2, TimeSpan.FromSeconds(60), TimeSpan.FromMilliseconds(200)));
        Assert.Equal(2, (await Swarm.TasksAsync(_service)).Count(t => t.IsRunning));

        await DockerCli.RunAsync("service", "scale", "--detach", $"{_service}=1");
        Assert.Equal(1, await Swarm.WaitForRunningAsync(_service, 1, TimeSpan.FromSeconds(60), TimeSpan.FromMilliseconds(200)));
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

    [Theory]
    [InlineData("Up 4 seconds (health: starting)", true)]
    [InlineData("Up 2 minutes (healthy)", false)]
    [InlineData("Up 5 minutes (unhealthy)", false)]
    [InlineData("Up 3 seconds", false)]
    [InlineData(null, false)]
    public void A_container_is_starting_until_its_health_check_first_passes(string? status, bool starting)
    {
        Assert.Equal(starting, SwarmClient.IsStarting(status));
    }

    [Theory]
    [InlineData("Up 4 seconds (health: starting)", "starting")]
    [InlineData("Up 2 minutes (healthy)", "healthy")]
    [InlineData("Up 5 minutes (unhealthy)", "unhealthy")]
    [InlineData("Up 3 seconds", "none")]
    public void A_containers_health_is_read_from_its_status(string status, string health)
    {
        Assert.Equal(health, SwarmClient.HealthOf(status));
    }
}
