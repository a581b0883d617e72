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
    public async Task Services_are_listed_with_replicas_limits_and_reservations()
    {
        var service = await Swarm.GetServiceAsync(_service);

        Assert.NotNull(service);
        Assert.Equal(1, service.DesiredReplicas);
        Assert.StartsWith(Image, service.Image, StringComparison.Ordinal);
        Assert.Equal(60_000_000, service.Limits.NanoCpus);
        Assert.Equal(64L * 1024 * 1024, service.Limits.MemoryBytes);
        Assert.Equal(40_000_000, service.Reservations.NanoCpus);
        Assert.Equal(32L * 1024 * 1024, service.Reservations.MemoryBytes);
    }

    [Fact]
    public async Task Scaling_up_and_down_converges_and_is_seen_in_the_tasks()
    {
        Assert.Equal(1, await Swarm.WaitForRunningAsync(_service, 1, TimeSpan.FromSeconds(60), TimeSpan.FromMilliseconds(200)));

        await Swarm.ScaleAsync(_service, 2);
        Assert.Equal(2, await Swarm.WaitForRunningAsync(_service, 2, TimeSpan.FromSeconds(60), TimeSpan.FromMilliseconds(200)));
        Assert.Equal(2, (await Swarm.GetServiceAsync(_service))!.DesiredReplicas);

        await Swarm.ScaleAsync(_service, 1);
        Assert.Equal(1, await Swarm.WaitForRunningAsync(_service, 1, TimeSpan.FromSeconds(60), TimeSpan.FromMilliseconds(200)));
    }

    [Fact]
    public async Task Node_capacity_and_container_stats_are_read_from_docker_json()
    {
        await Swarm.WaitForRunningAsync(_service, 1, TimeSpan.FromSeconds(60), TimeSpan.FromMilliseconds(200));

        var capacity = await Swarm.NodeCapacityAsync();
        var stats = await Swarm.StatsAsync();

        Assert.True(capacity.NanoCpus >= 1_000_000_000);
        Assert.True(capacity.MemoryBytes > 0);
        var mine = Assert.Single(stats, s => s.Service == _service);
        Assert.Equal(64L * 1024 * 1024, mine.MemoryLimitBytes);
        Assert.InRange(mine.MemoryBytes, 1, 64L * 1024 * 1024);
        Assert.False(mine.Starting);
    }

    [Theory]
    [InlineData("backend; rm -rf /", 2)]
    [InlineData("$(id)", 2)]
    [InlineData("../etc", 2)]
    [InlineData("", 2)]
    [InlineData("backend", -1)]
    [InlineData("backend", 100000)]
    public async Task Invalid_names_and_counts_are_refused_before_anything_is_sent(string service, int replicas)
    {
        await Assert.ThrowsAnyAsync<ArgumentException>(() => Swarm.ScaleAsync(service, replicas));

        Assert.Equal(0, _session!.Connections);
    }

    [Fact]
    public async Task Scaling_a_service_that_does_not_exist_reports_dockers_error()
    {
        var error = await Assert.ThrowsAsync<SwarmCommandException>(() => Swarm.ScaleAsync("bt-test-missing", 2));

        Assert.Contains("bt-test-missing", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("796KiB / 32MiB", 815104, 33554432)]
    [InlineData("1.5GiB / 2GiB", 1610612736, 2147483648)]
    [InlineData("10MB / 1GB", 10000000, 1000000000)]
    [InlineData("-- / --", 0, 0)]
    public void Memory_usage_strings_parse_in_every_unit_docker_prints(string text, long used, long limit)
    {
        Assert.Equal((used, limit), SwarmClient.ParseMemoryUsage(text));
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
