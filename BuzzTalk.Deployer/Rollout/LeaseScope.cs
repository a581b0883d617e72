using BuzzTalk.Deployer.Configuration;
using BuzzTalk.Fleet.Leases;
using BuzzTalk.Fleet.Ssh;

namespace BuzzTalk.Deployer.Rollout;

/// <summary>
/// Runs one operation on an instance under its deploy lease: waits up to
/// <see cref="DeployerOptions.LeaseWait"/> for it, renews it every third of its TTL while the
/// work runs, stops the work when the lease is lost, and always releases it. Whatever goes wrong
/// is the instance's outcome, never an exception that ends the fleet run.
/// </summary>
public sealed class LeaseScope(DeployLease lease, DeployerOptions options, TimeProvider time, Action<string> step)
{
    public async Task<(InstanceOutcome Outcome, string Message)> RunAsync(string holder, string operation,
        Func<CancellationToken, Task<(InstanceOutcome, string)>> work, CancellationToken cancellationToken)
    {
        HeldLease held;
        try
        {
            held = await AcquireAsync(holder, operation, cancellationToken).ConfigureAwait(false);
        }
        catch (LeaseBusyException busy)
        {
            return (InstanceOutcome.LeaseBusy, $"lease held by {busy.Current.Holder} for '{busy.Current.Operation}' until {busy.Current.Expires:u}; nothing changed");
        }
        catch (Exception ex) when (SshFailure.IsUnreachable(ex))
        {
            return (InstanceOutcome.Unreachable, FailureMessage.Of(ex));
        }

        // A lease lost to expiry (this process stalled) stops the operation: someone else may act.
        using var lost = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        using var stopRenewing = new CancellationTokenSource();
        var renewing = RenewAsync(held, lost, stopRenewing.Token);
        try
        {
            return await work(lost.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (lost.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            return (InstanceOutcome.Failed, "the deploy lease was lost (expired or released by an operator); stopped");
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // Whatever went wrong on this instance is its report, not the end of the fleet run.
            return (InstanceOutcome.Failed, FailureMessage.Of(ex));
        }
        finally
        {
            await stopRenewing.CancelAsync().ConfigureAwait(false);
            await renewing.ConfigureAwait(false);
            await ReleaseAsync(held).ConfigureAwait(false);
        }
    }

    private async Task<HeldLease> AcquireAsync(string holder, string operation, CancellationToken cancellationToken)
    {
        var deadline = time.GetUtcNow() + options.LeaseWait;
        while (true)
        {
            try
            {
                step("lease");
                var acquired = await lease.AcquireAsync(holder, operation, options.LeaseTtl, cancellationToken).ConfigureAwait(false);
                step($"lease acquired until {acquired.Expires:u}");
                return acquired;
            }
            catch (LeaseBusyException) when (time.GetUtcNow() < deadline)
            {
                await Task.Delay(options.PollInterval, time, cancellationToken).ConfigureAwait(false);
            }
        }
    }

    private async Task RenewAsync(HeldLease held, CancellationTokenSource lost, CancellationToken stop)
    {
        var every = options.LeaseTtl / 3;
        try
        {
            while (true)
            {
                await Task.Delay(every, time, stop).ConfigureAwait(false);
                try
                {
                    if (await lease.RenewAsync(held, options.LeaseTtl, stop).ConfigureAwait(false) is null)
                    {
                        await lost.CancelAsync().ConfigureAwait(false);
                        return;
                    }
                }
                catch (Exception ex) when (!stop.IsCancellationRequested)
                {
                    // A failed renewal (a dropped connection, a host gone for a moment) is not a lost
                    // lease: it still runs to its expiry, and the next turn tries again.
                    step($"lease not renewed ({FailureMessage.Of(ex)}); trying again");
                }
            }
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
        }
    }

    private async Task ReleaseAsync(HeldLease held)
    {
        try
        {
            // Not the operation's token: a cancelled deploy still gives its lease back.
            using var releaseTimeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            if (await lease.ReleaseAsync(held, releaseTimeout.Token).ConfigureAwait(false))
            {
                step("lease released");
            }
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            // Whatever stops it (the host unreachable too), it lapses by itself at its expiry; the
            // operation's outcome stands.
            step($"lease not released ({FailureMessage.Of(ex)}); it expires at {held.Expires:u}");
        }
    }
}
