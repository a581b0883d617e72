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
    private readonly ScratchDirectory _leaseDir = new();
    private SshServer? _server;

    public async Task InitializeAsync()
    {
        _server = await SshServer.StartAsync();
        await DockerCli.RunAsync("service", "create", "--detach", "--name", _service, "--replicas", "1",
            "--limit-cpu", "0.05", "--limit-memory", "32M", "--label", "buzztalk.test=engine", "buzztalk/busybox:test");
    }

    public async Task DisposeAsync()
    {
        await DockerCli.TryRunAsync("service", "rm", _service);
        if (_server is not null)
        {
            await _server.DisposeAsync();
        }

        _leaseDir.Dispose();
    }

    private SshHostSession Session() => _server!.Connect(TimeSpan.FromSeconds(3));

    private async Task<int> DesiredAsync()
    {
        var (_, output) = await DockerCli.TryRunAsync("service", "inspect", "--format", "{{.Spec.Mode.Replicated.Replicas}}", _service);
        return int.Parse(output.Trim(), NumberStyles.None, CultureInfo.InvariantCulture);
    }

    [Fact]
    public async Task Scales_go_through_one_kept_open_channel_and_change_only_the_count()
    {
        await using var engine = new HostEngine(Session(), _leaseDir.Path);

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
    public async Task Services_and_node_capacity_read_through_the_engine_match_the_docker_cli()
    {
        var session = Session();
        await using var engine = new HostEngine(session, _leaseDir.Path);
        var cli = new SwarmClient(session);

        Assert.Equal((await cli.ListServicesAsync()).Single(s => s.Name == _service), (await engine.ListServicesAsync(s_timeout)).Single(s => s.Name == _service));
        Assert.Equal(await cli.NodeCapacityAsync(), await engine.NodeCapacityAsync(s_timeout));
        Assert.Equal(1, engine.Opened);
    }

    [Fact]
    public async Task While_a_deploy_holds_the_lease_nothing_is_scaled_and_the_holder_is_reported()
    {
        var deployer = new DeployLease(Session(), _leaseDir.Path);
        var lease = await deployer.AcquireAsync("deployer@ci", "deploy backend v2", TimeSpan.FromMinutes(5));
        await using var engine = new HostEngine(Session(), _leaseDir.Path);

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
        await using var engine = new HostEngine(Session(), _leaseDir.Path);

        var refused = await Assert.ThrowsAsync<EngineApiException>(() => engine.ScaleIfFreeAsync("bt-engine-missing", 2, s_timeout));

        Assert.Equal(404, refused.Response.Status);
        // The unlock is sent without waiting for its answer: wait for the lock to be free.
        Assert.Equal(0, (await observer.RunAsync("flock", ["-w", "10", Path.Combine(_leaseDir.Path, ".deploy.lock"), "true"])).ExitCode);
        Assert.Null(await engine.ScaleIfFreeAsync(_service, 2, s_timeout));
        Assert.Equal(1, engine.Opened);
    }

    [Fact]
    public async Task After_the_connection_drops_the_next_call_opens_new_channels()
    {
        await using var engine = new HostEngine(Session(), _leaseDir.Path);
        Assert.Null(await engine.ScaleIfFreeAsync(_service, 2, s_timeout));

        await _server!.StopAsync();
        await Assert.ThrowsAnyAsync<Exception>(() => engine.ScaleIfFreeAsync(_service, 1, s_timeout));
        await _server.StartAgainAsync();

        Assert.Null(await engine.ScaleIfFreeAsync(_service, 1, s_timeout));
        Assert.Equal(1, await DesiredAsync());
        Assert.Equal(2, engine.Opened);
    }
}
