using BuzzTalk.Fleet.Leases;
using BuzzTalk.Fleet.Ssh;
using BuzzTalk.Testing;

namespace BuzzTalk.Fleet.Tests.Leases;

/// <summary>
/// The lease gate (the deploy lease's lock held from a long-lived helper shell) on a real host
/// over real SSH, against the real <see cref="DeployLease"/>.
/// </summary>
public sealed class LeaseGateTests : IAsyncLifetime
{
    private SshLeaseHost? _host;

    private SshLeaseHost Host => _host!;

    public async Task InitializeAsync() => _host = await SshLeaseHost.StartAsync();

    public async Task DisposeAsync()
    {
        if (_host is not null)
        {
            await _host.DisposeAsync();
        }
    }

    /// <summary>A connection of its own, as the Scaler and each deployer have.</summary>
    private SshHostSession Session() => Host.Server.Connect();

    [Fact]
    public async Task While_the_gate_is_locked_a_deploy_waits_and_takes_the_lease_once_it_is_unlocked()
    {
        await using var gate = await LeaseGate.StartAsync(Session(), Host.LeaseDirectory);
        Assert.Null(await gate.LockIfFreeAsync());
        var observer = Session();
        Assert.False(await FileLocks.IsFreeAsync(observer, Host.LockFile));

        var acquiring = new DeployLease(Session(), Host.LeaseDirectory).AcquireAsync("deployer@ci", "deploy backend v2", TimeSpan.FromMinutes(5));
        await FileLocks.WaitForWaiterAsync(observer, Host.LockFile, TimeSpan.FromSeconds(10));
        Assert.False(acquiring.IsCompleted);

        gate.Unlock();
        var lease = await acquiring.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal("deployer@ci", lease.Holder);

        // And now the gate sees the deploy's lease and does not keep the lock.
        var held = await gate.LockIfFreeAsync();
        Assert.NotNull(held);
        Assert.True(held.IsHeld);
        Assert.Equal("deployer@ci", held.Holder);
        Assert.Equal("deploy backend v2", held.Operation);
        Assert.True(await FileLocks.IsFreeAsync(observer, Host.LockFile));

        // Released: free again, the same gate locks.
        Assert.True(await new DeployLease(observer, Host.LeaseDirectory).ReleaseAsync(lease));
        Assert.Null(await gate.LockIfFreeAsync());
        gate.Unlock();
    }

    [Fact]
    public async Task A_gate_that_loses_its_channel_while_locked_keeps_the_lock_until_its_fenced_processes_exit()
    {
        var session = Session();
        var gate = await LeaseGate.StartAsync(session, Host.LeaseDirectory);
        // cat stands for docker system dial-stdio: it ends once its input ends.
        var fenced = await gate.StartFencedAsync("cat", []);
        Assert.Null(await gate.LockIfFreeAsync());
        var observer = Session();

        // The helper's channel goes; the fenced process still runs (it may carry a decided action).
        await gate.DisposeAsync();
        await FileLocks.WaitForWaiterAsync(observer, gate.Fence, TimeSpan.FromSeconds(10));
        Assert.False(await FileLocks.IsFreeAsync(observer, Host.LockFile));

        await fenced.DisposeAsync();
        Assert.Equal(0, (await observer.RunAsync("flock", ["-w", "10", Host.LockFile, "true"])).ExitCode);
        Assert.Equal(0, (await observer.RunAsync("sh", ["-c", "while [ -e \"$1\" ]; do sleep 0.05; done", "wait-removed", gate.Fence], TimeSpan.FromSeconds(10))).ExitCode);
    }

    [Fact]
    public async Task A_caller_that_goes_silent_while_locked_loses_the_lock_after_the_hold_once_its_fenced_processes_are_ended()
    {
        var observer = Session();
        await using var gate = await LeaseGate.StartAsync(Session(), Host.LeaseDirectory, hold: TimeSpan.FromSeconds(1));
        // sleep stands for dial-stdio on a connection gone silent: it neither exits nor ends by its input.
        await using var fenced = await gate.StartFencedAsync("sleep", ["600"]);
        var pid = (await observer.RunAsync("cat", [gate.Fence + ".pids"])).Output.Trim();
        Assert.Matches("^[0-9]+$", pid);
        Assert.Null(await gate.LockIfFreeAsync());

        // Whoever gets the lock next finds the fenced process gone (or only a zombie left for sshd to reap).
        var next = await observer.RunAsync("flock", ["-w", "30", Host.LockFile, "sh", "-c", "! grep -qs '^State:[[:space:]]*[^Z]' /proc/$1/status", "check", pid],
            TimeSpan.FromSeconds(40));
        Assert.Equal(0, next.ExitCode);
        await Assert.ThrowsAsync<IOException>(() => fenced.ReadLineAsync(CancellationToken.None));
    }

    [Fact]
    public async Task A_gate_that_ends_unlocked_releases_nothing_it_does_not_hold_and_leaves_no_fence()
    {
        var observer = Session();
        var gate = await LeaseGate.StartAsync(Session(), Host.LeaseDirectory);
        var fenced = await gate.StartFencedAsync("cat", []);
        Assert.Null(await gate.LockIfFreeAsync());
        gate.Unlock();

        // Unlocked: ending the helper does not wait for the fenced process.
        await gate.DisposeAsync();
        Assert.Equal(0, (await observer.RunAsync("sh", ["-c", "while [ -e \"$1\" ]; do sleep 0.05; done", "wait-removed", gate.Fence], TimeSpan.FromSeconds(10))).ExitCode);
        Assert.True(await FileLocks.IsFreeAsync(observer, Host.LockFile));
        Assert.False(fenced.HasExited);
        await fenced.DisposeAsync();
    }
}
