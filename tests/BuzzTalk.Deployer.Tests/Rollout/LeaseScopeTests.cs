using System.Collections.Concurrent;
using BuzzTalk.Deployer.Configuration;
using BuzzTalk.Deployer.Rollout;
using BuzzTalk.Fleet.Leases;
using BuzzTalk.Testing;

namespace BuzzTalk.Deployer.Tests.Rollout;

/// <summary>The lease around one instance's operation, on a real host over real SSH.</summary>
public sealed class LeaseScopeTests : IAsyncLifetime
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

    [Fact]
    public async Task A_host_gone_mid_operation_leaves_the_operations_outcome_and_reports_the_lease_it_could_not_renew_or_release()
    {
        var server = Host.Server;
        var steps = new ConcurrentQueue<string>();
        var renewalFailed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var scope = new LeaseScope(new DeployLease(server.Connect(TimeSpan.FromSeconds(2)), Host.LeaseDirectory),
            new DeployerOptions { LeaseTtl = TimeSpan.FromSeconds(3) }, TimeProvider.System, step =>
            {
                steps.Enqueue(step);
                if (step.StartsWith("lease not renewed", StringComparison.Ordinal))
                {
                    renewalFailed.TrySetResult();
                }
            });

        var (outcome, message) = await scope.RunAsync("deployer@test", "deploy backend v2", async ct =>
        {
            // The host goes away while the work runs: the renewal (every second) fails, more than once.
            await server.StopAsync();
            await renewalFailed.Task.WaitAsync(TimeSpan.FromSeconds(30), ct);
            return (InstanceOutcome.Deployed, "work done");
        }, CancellationToken.None);

        Assert.Equal(InstanceOutcome.Deployed, outcome);
        Assert.Equal("work done", message);
        Assert.Contains(steps, s => s.StartsWith("lease acquired", StringComparison.Ordinal));
        Assert.Contains(steps, s => s.StartsWith("lease not released", StringComparison.Ordinal));
        Assert.DoesNotContain(steps, s => s == "lease released");

        // Not given back: once the host is back, its lease file still names the holder, and lapses at its expiry.
        await server.StartAgainAsync();
        var state = await new DeployLease(server.Connect(), Host.LeaseDirectory).ReadAsync();
        Assert.Equal("deployer@test", state?.Holder);
    }
}
