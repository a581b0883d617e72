using System.Globalization;
using BuzzTalk.Fleet.Leases;
using BuzzTalk.Fleet.Ssh;
using BuzzTalk.Fleet.Swarm;
using BuzzTalk.Testing;

namespace BuzzTalk.Fleet.Tests.Swarm;

/// <summary>
/// The Engine API over a kept-open <c>docker system dial-stdio</c> channel, fenced by the lease
/// gate: on the real local swarm over real SSH, with the real deploy lease.
/// </summary>
public sealed class HostEngineTests : IAsyncLifetime
{
    private static readonly TimeSpan s_timeout = TimeSpan.FromSeconds(30);
    private readonly string _service = "bt-engine-" + Guid.NewGuid().ToString("N")[..8];
    private SshLeaseHost? _host;

    private SshLeaseHost Host => _host!;

    public async Task InitializeAsync()
    {
        _host = await SshLeaseHost.StartAsync();
        await DockerCli.RunAsync("service", "create", "--detach", "--name", _service, "--replicas", "1", "--limit-cpu", "0.05", "--limit-memory", "32M",
            "--reserve-cpu", "0.04", "--reserve-memory", "16M", "--label", "buzztalk.test=engine", "buzztalk/busybox:test");
    }

    public async Task DisposeAsync()
    {
        await DockerCli.TryRunAsync("service", "rm", _service);
        if (_host is not null)
        {
            await _host.DisposeAsync();
        }
    }

    private SshHostSession Session() => Host.Server.Connect(TimeSpan.FromSeconds(3));

    private async Task<int> DesiredAsync()
    {
        var (_, output) = await DockerCli.TryRunAsync("service", "inspect", "--format", "{{.Spec.Mode.Replicated.Replicas}}", _service);
        return int.Parse(output.Trim(), NumberStyles.None, CultureInfo.InvariantCulture);
    }

    [Fact]
    public async Task Scales_go_through_one_kept_open_channel_and_change_only_the_count()
    {
        await using var engine = new HostEngine(Session(), Host.LeaseDirectory);

        Assert.Null(await engine.ScaleIfFreeAsync(_service, 2, s_timeout));
        Assert.Equal(2, await DesiredAsync());
        Assert.Null(await engine.ScaleIfFreeAsync(_service, 1, s_timeout));
        Assert.Equal(1, await DesiredAsync());

        // The rest of the spec is untouched.
        var (_, labels) = await DockerCli.TryRunAsync("service", "inspect", "--format", "{{json .Spec.Labels}} {{.Spec.TaskTemplate.Resources.Limits.MemoryBytes}}", _service);
        Assert.Equal("{\"buzztalk.test\":\"engine\"} 33554432", labels.Trim());
        Assert.Equal(1, engine.Opened);
    }

    [Fact]
    public async Task Services_and_node_capacity_are_read_through_the_fenced_channel_as_docker_inspects_them()
    {
        await using var engine = new HostEngine(Session(), Host.LeaseDirectory);

        var service = (await engine.ListServicesAsync(s_timeout)).Single(s => s.Name == _service);
        var capacity = await engine.NodeCapacityAsync(s_timeout);

        Assert.Equal(1, service.DesiredReplicas);
        Assert.StartsWith("buzztalk/busybox:test", service.Image, StringComparison.Ordinal);
        Assert.Equal(new Resources(50_000_000, 32L << 20), service.Limits);
        Assert.Equal(new Resources(40_000_000, 16L << 20), service.Reservations);
        var (_, id) = await DockerCli.TryRunAsync("service", "inspect", "--format", "{{.ID}}", _service);
        Assert.Equal(id.Trim(), service.Id);
        var (_, node) = await DockerCli.TryRunAsync("node", "inspect", "self", "--format", "{{.Description.Resources.NanoCPUs}} {{.Description.Resources.MemoryBytes}}");
        Assert.Equal(node.Trim(), $"{capacity.NanoCpus} {capacity.MemoryBytes}");
        Assert.Equal(1, engine.Opened);
    }

    [Fact]
    public async Task While_a_deploy_holds_the_lease_nothing_is_scaled_and_the_holder_is_reported()
    {
        var deployer = new DeployLease(Session(), Host.LeaseDirectory);
        var lease = await deployer.AcquireAsync("deployer@ci", "deploy backend v2", TimeSpan.FromMinutes(5));
        await using var engine = new HostEngine(Session(), Host.LeaseDirectory);

        var held = await engine.ScaleIfFreeAsync(_service, 2, s_timeout);

        Assert.NotNull(held);
        Assert.Equal("deployer@ci", held.Holder);
        Assert.Equal(1, await DesiredAsync());
        Assert.True(await deployer.ReleaseAsync(lease));
        Assert.Null(await engine.ScaleIfFreeAsync(_service, 2, s_timeout));
        Assert.Equal(2, await DesiredAsync());
    }

    [Fact]
    public async Task A_refusal_by_the_engine_is_reported_and_unlocks_and_the_channel_stays_open()
    {
        var observer = Session();
        await using var engine = new HostEngine(Session(), Host.LeaseDirectory);

        var refused = await Assert.ThrowsAsync<EngineApiException>(() => engine.ScaleIfFreeAsync("bt-engine-missing", 2, s_timeout));

        Assert.Equal(404, refused.Response.Status);
        // The unlock is sent without waiting for its answer: wait for the lock to be free.
        Assert.Equal(0, (await observer.RunAsync("flock", ["-w", "10", Path.Combine(Host.LeaseDirectory, ".deploy.lock"), "true"])).ExitCode);
        Assert.Null(await engine.ScaleIfFreeAsync(_service, 2, s_timeout));
        Assert.Equal(1, engine.Opened);
    }

    [Fact]
    public async Task After_the_connection_drops_the_next_call_opens_new_channels()
    {
        await using var engine = new HostEngine(Session(), Host.LeaseDirectory);
        Assert.Null(await engine.ScaleIfFreeAsync(_service, 2, s_timeout));

        await Host.Server.StopAsync();
        await Assert.ThrowsAnyAsync<Exception>(() => engine.ScaleIfFreeAsync(_service, 1, s_timeout));
        await Host.Server.StartAgainAsync();

        Assert.Null(await engine.ScaleIfFreeAsync(_service, 1, s_timeout));
        Assert.Equal(1, await DesiredAsync());
        Assert.Equal(2, engine.Opened);
    }

    [Fact]
    public async Task Running_tasks_are_counted_over_read_connections_as_docker_service_ps_shows_them()
    {
        var session = Session();
        await using var engine = new HostEngine(session, Host.LeaseDirectory);
        Assert.Equal(1, await WaitForRunningAsync(engine, _service, 1));

        Assert.Null(await engine.ScaleIfFreeAsync(_service, 2, s_timeout));

        Assert.Equal(2, await WaitForRunningAsync(engine, _service, 2));
        Assert.Equal(2, (await new SwarmClient(session).TasksAsync(_service)).Count(t => t.IsRunning));
        var missing = await Assert.ThrowsAsync<EngineApiException>(() => engine.RunningTasksAsync("bt-engine-missing", s_timeout));
        Assert.Equal(404, missing.Response.Status);
        // Only the scale opened the fenced channel.
        Assert.Equal(1, engine.Opened);
    }

    [Fact]
    public async Task Container_stats_through_the_engine_are_the_figures_docker_stats_prints()
    {
        // Busy-loops inside a 0.05 CPU limit (about 5 % of a CPU, on any machine) with 8 MiB in
        // /dev/shm: memory the cgroup counts as cache but not as inactive file, which docker stats
        // (since Docker 20.10) does not subtract.
        var busy = _service + "-busy";
        await DockerCli.RunAsync("service", "create", "--detach", "--name", busy, "--replicas", "1", "--limit-cpu", "0.05", "--limit-memory", "32M",
            "buzztalk/busybox:test", "sh", "-c", "head -c 8388608 /dev/zero >/dev/shm/fill; while :; do :; done");
        try
        {
            await using var engine = new HostEngine(Session(), Host.LeaseDirectory);
            Assert.Equal(1, await WaitForRunningAsync(engine, _service, 1));
            Assert.Equal(1, await WaitForRunningAsync(engine, busy, 1));

            var stats = await engine.ContainerStatsAsync([_service, busy, "bt-engine-missing"], s_timeout);
            var (_, printed) = await DockerCli.TryRunAsync("stats", "--no-stream", "--no-trunc", "--format", "{{.ID}} {{.CPUPerc}} {{.MemUsage}}");
            var cli = printed.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.Split(' ', 2))
                .ToDictionary(f => f[0], f => f[1], StringComparer.Ordinal);

            Assert.Equal([_service, busy], stats.Select(s => s.Service).Order(StringComparer.Ordinal));
            foreach (var container in stats)
            {
                var (cpu, used, limit) = ParseCli(cli[container.ContainerId]);
                Assert.False(container.Starting);
                Assert.Equal(32L * 1024 * 1024, container.MemoryLimitBytes);
                Assert.Equal(limit, container.MemoryLimitBytes);
                // Samples taken a moment apart: close, not equal.
                Assert.InRange(container.MemoryBytes, used - (1 << 20), used + (1 << 20));
                Assert.InRange(container.CpuPercent, cpu - 2, cpu + 2);
            }

            var busyStats = stats.Single(s => s.Service == busy);
            Assert.InRange(busyStats.CpuPercent, 3, 7);
            Assert.InRange(busyStats.MemoryBytes, 8L << 20, 12L << 20);
            Assert.Empty(await engine.ContainerStatsAsync([], s_timeout));
            Assert.Equal(0, engine.Opened);
        }
        finally
        {
            await DockerCli.TryRunAsync("service", "rm", busy);
        }
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
        var session = Session();
        await using var engine = new HostEngine(session, Host.LeaseDirectory);

        await Assert.ThrowsAnyAsync<ArgumentException>(() => engine.ScaleIfFreeAsync(service, replicas, s_timeout));
        if (replicas >= 0 && replicas <= SwarmNames.MaxReplicas)
        {
            await Assert.ThrowsAnyAsync<ArgumentException>(() => engine.RunningTasksAsync(service, s_timeout));
            await Assert.ThrowsAnyAsync<ArgumentException>(() => engine.ContainerStatsAsync([service], s_timeout));
        }

        Assert.Equal(0, session.Connections);
    }

    [Theory]
    [InlineData("Up 4 seconds (health: starting)", true)]
    [InlineData("Up 2 minutes (healthy)", false)]
    [InlineData("Up 5 minutes (unhealthy)", false)]
    [InlineData("Up 3 seconds", false)]
    [InlineData(null, false)]
    public void A_container_is_starting_until_its_health_check_first_passes(string? status, bool starting)
    {
        Assert.Equal(starting, HostEngine.IsStarting(status));
    }

    private static Task<int> WaitForRunningAsync(HostEngine engine, string service, int replicas) =>
        engine.WaitForRunningAsync(service, replicas, TimeSpan.FromSeconds(60), TimeSpan.FromMilliseconds(200), s_timeout);

    /// <summary>"5.12% 600KiB / 32MiB" as docker stats prints it.</summary>
    private static (double Cpu, long Used, long Limit) ParseCli(string printed)
    {
        var fields = printed.Replace(" / ", " ", StringComparison.Ordinal).Split(' ');
        return (double.Parse(fields[0].TrimEnd('%'), CultureInfo.InvariantCulture), Size(fields[1]), Size(fields[2]));

        static long Size(string text)
        {
            var unit = text.TrimStart("0123456789.".ToCharArray());
            var number = double.Parse(text[..^unit.Length], CultureInfo.InvariantCulture);
            return (long)(number * unit switch { "B" => 1, "KiB" => 1024, "MiB" => 1024 * 1024, "GiB" => 1024 * 1024 * 1024, _ => throw new FormatException(text) });
        }
    }
}
