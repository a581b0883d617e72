using BuzzTalk.Fleet.Leases;
using BuzzTalk.Fleet.Ssh;
using BuzzTalk.Testing;

namespace BuzzTalk.Fleet.Tests.Leases;

/// <summary>The deploy lease on a real host reached over real SSH.</summary>
public sealed class DeployLeaseTests : IAsyncLifetime
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

    /// <summary>A lease client with its own SSH connection, as each deployer or scaler has.</summary>
    private DeployLease Lease() => new(Host.Server.Connect(), Host.LeaseDirectory);

    [Fact]
    public async Task An_acquired_lease_is_visible_to_every_other_reader_with_holder_operation_and_expiry()
    {
        var held = await Lease().AcquireAsync("deployer@ci", "deploy backend v2", TimeSpan.FromMinutes(5));

        var seen = await Lease().ReadAsync();

        Assert.NotNull(seen);
        Assert.True(seen.IsHeld);
        Assert.Equal("deployer@ci", seen.Holder);
        Assert.Equal("deploy backend v2", seen.Operation);
        Assert.Equal(held.Expires, seen.Expires);
    }

    [Fact]
    public async Task Of_many_simultaneous_acquirers_exactly_one_wins_and_the_others_learn_who_holds_it()
    {
        var leases = Enumerable.Range(0, 12).Select(_ => Lease()).ToList();

        var attempts = await Task.WhenAll(leases.Select(async (lease, i) =>
        {
            try
            {
                return (Won: true, Holder: (await lease.AcquireAsync($"deployer-{i}", "deploy", TimeSpan.FromMinutes(5))).Holder);
            }
            catch (LeaseBusyException busy)
            {
                return (Won: false, Holder: busy.Current.Holder);
            }
        }));

        var winner = Assert.Single(attempts, a => a.Won);
        Assert.All(attempts.Where(a => !a.Won), a => Assert.Equal(winner.Holder, a.Holder));
    }

    [Fact]
    public async Task A_lease_whose_holder_stopped_renewing_lapses_and_the_next_deploy_takes_it()
    {
        var first = Lease();
        await first.AcquireAsync("killed-deployer", "deploy", TimeSpan.FromSeconds(3));
        await Assert.ThrowsAsync<LeaseBusyException>(() => Lease().AcquireAsync("next", "deploy", TimeSpan.FromMinutes(1)));

        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        while ((await first.ReadAsync(cts.Token))!.IsHeld)
        {
            await Task.Delay(TimeSpan.FromMilliseconds(200), cts.Token);
        }

        var next = await Lease().AcquireAsync("next", "deploy", TimeSpan.FromMinutes(1));
        Assert.Equal("next", (await first.ReadAsync())!.Holder);
        Assert.Equal("next", next.Holder);
    }

    [Fact]
    public async Task Only_the_holder_can_renew_or_release()
    {
        var lease = Lease();
        var held = await lease.AcquireAsync("owner", "deploy", TimeSpan.FromMinutes(1));
        var impostor = held with { Token = "00000000000000000000000000000000" };

        Assert.Null(await Lease().RenewAsync(impostor, TimeSpan.FromMinutes(10)));
        Assert.False(await Lease().ReleaseAsync(impostor));
        Assert.True((await lease.ReadAsync())?.IsHeld);

        var renewed = await lease.RenewAsync(held, TimeSpan.FromMinutes(10));
        Assert.NotNull(renewed);
        Assert.True(renewed.Expires > held.Expires);
        Assert.True(await lease.ReleaseAsync(held));
        Assert.Null(await Lease().ReadAsync());
    }

    [Theory]
    [InlineData("evil\nholder")]
    [InlineData("")]
    public async Task Holder_text_that_would_break_the_lease_file_is_refused(string holder)
    {
        await Assert.ThrowsAsync<ArgumentException>(() => Lease().AcquireAsync(holder, "deploy", TimeSpan.FromMinutes(1)));
        Assert.Null(await Lease().ReadAsync());
    }

    [Fact]
    public async Task Shell_metacharacters_in_holder_and_operation_are_stored_literally()
    {
        const string Hostile = "$(touch /tmp/pwned); `id` && rm -rf \"$HOME\" 'x'";

        await Lease().AcquireAsync(Hostile, Hostile, TimeSpan.FromMinutes(1));

        var seen = await Lease().ReadAsync();
        Assert.Equal(Hostile, seen!.Holder);
        Assert.Equal(Hostile, seen.Operation);
    }
}
