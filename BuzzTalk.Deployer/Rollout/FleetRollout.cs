using System.Diagnostics;
using BuzzTalk.Deployer.Configuration;
using BuzzTalk.Fleet.Ssh;

namespace BuzzTalk.Deployer.Rollout;

/// <summary>
/// Runs one operation over the inventory: <c>--parallel</c> instances at a time, and once more
/// than <c>--max-failures</c> instances failed, no new instance is started (those are reported
/// as skipped). An unreachable instance fails at its connect timeout; it never hangs the rest.
/// </summary>
public sealed class FleetRollout(DeployerOptions options, Action<DeployTarget, string>? progress = null, TimeProvider? time = null)
{
    /// <summary>Deploy-like operations: the reports, in inventory order.</summary>
    public async Task<FleetReport> RunAsync(string operation, IReadOnlyList<DeployTarget> targets, string bundleStack, int parallel, int maxFailures,
        Func<RemoteInstance, CancellationToken, Task<InstanceReport>> action, CancellationToken cancellationToken)
    {
        var started = Stopwatch.GetTimestamp();
        var reports = await ForEachAsync(targets, bundleStack, parallel, maxFailures, action, r => r.Succeeded || r.Outcome == InstanceOutcome.Gone,
            (target, outcome, message, seconds) => new InstanceReport(target.Name, target.Host, outcome, message, [], seconds),
            cancellationToken, GoneIfUnlistedAsync).ConfigureAwait(false);
        return new FleetReport(operation, reports, Stopwatch.GetElapsedTime(started).TotalSeconds);
    }

    /// <summary>
    /// An instance that failed or stopped answering and is no longer in Discovery's inventory was
    /// preempted or deleted meanwhile: reported gone, not failed, so it spends no failure budget.
    /// </summary>
    private async Task<InstanceReport> GoneIfUnlistedAsync(DeployTarget target, InstanceReport report, CancellationToken cancellationToken)
    {
        if (report.Outcome is not (InstanceOutcome.Failed or InstanceOutcome.Unreachable)
            || await InventoryResolver.IsListedAsync(options, target.Name, cancellationToken).ConfigureAwait(false) != false)
        {
            return report;
        }

        progress?.Invoke(target, "gone: no longer in the inventory");
        return report with { Outcome = InstanceOutcome.Gone, Message = $"left the inventory during the operation (preempted or deleted); last error: {report.Message}" };
    }

    /// <summary>Any per-instance operation; <paramref name="failed"/> builds the result of an instance that could not be reached or was skipped.</summary>
    public async Task<IReadOnlyList<T>> ForEachAsync<T>(IReadOnlyList<DeployTarget> targets, string bundleStack, int parallel, int maxFailures,
        Func<RemoteInstance, CancellationToken, Task<T>> action, Func<T, bool> succeeded, Func<DeployTarget, InstanceOutcome, string, double, T> failed,
        CancellationToken cancellationToken, Func<DeployTarget, T, CancellationToken, Task<T>>? review = null)
    {
        ArgumentNullException.ThrowIfNull(targets);
        ArgumentNullException.ThrowIfNull(action);
        ArgumentNullException.ThrowIfNull(succeeded);
        ArgumentNullException.ThrowIfNull(failed);
        ArgumentOutOfRangeException.ThrowIfLessThan(parallel, 1);
        ArgumentOutOfRangeException.ThrowIfNegative(maxFailures);

        var results = new T[targets.Count];
        var failures = 0;
        using var gate = new SemaphoreSlim(parallel);
        var running = new List<Task>();
        for (var i = 0; i < targets.Count; i++)
        {
            await gate.WaitAsync(cancellationToken).ConfigureAwait(false);
            if (Volatile.Read(ref failures) > maxFailures)
            {
                gate.Release();
                results[i] = failed(targets[i], InstanceOutcome.Skipped, $"not attempted: more than {maxFailures} instance(s) failed", 0);
                continue;
            }

            var index = i;
            running.Add(Task.Run(async () =>
            {
                try
                {
                    var result = await RunOneAsync(targets[index], bundleStack, action, failed, cancellationToken).ConfigureAwait(false);
                    if (review is not null)
                    {
                        result = await review(targets[index], result, cancellationToken).ConfigureAwait(false);
                    }

                    results[index] = result;
                    if (!succeeded(result))
                    {
                        Interlocked.Increment(ref failures);
                    }
                }
                finally
                {
                    gate.Release();
                }
            }, cancellationToken));
        }

        await Task.WhenAll(running).ConfigureAwait(false);
        return results;
    }

    private async Task<T> RunOneAsync<T>(DeployTarget target, string bundleStack, Func<RemoteInstance, CancellationToken, Task<T>> action,
        Func<DeployTarget, InstanceOutcome, string, double, T> failed, CancellationToken cancellationToken)
    {
        var started = Stopwatch.GetTimestamp();
        RemoteLayout layout;
        try
        {
            layout = RemoteLayout.For(options, target, bundleStack);
        }
        catch (ArgumentException ex)
        {
            return failed(target, InstanceOutcome.Failed, ex.Message, 0);
        }

        var ssh = SshFor(target);
        try
        {
            var knownHosts = KnownHosts.Load(ssh.KnownHostsFile);
            await using var session = new SshHostSession(target.Host, ssh, knownHosts);
            await using var files = new SftpHostFiles(target.Host, ssh, knownHosts);
            return await action(new RemoteInstance(target, session, files, options, layout, progress, time), cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (SshFailure.IsUnreachable(ex) || ex is IOException)
        {
            return failed(target, InstanceOutcome.Unreachable, FailureMessage.Of(ex), Stopwatch.GetElapsedTime(started).TotalSeconds);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // One instance's trouble is its own report; the rest of the fleet goes on.
            return failed(target, InstanceOutcome.Failed, FailureMessage.Of(ex), Stopwatch.GetElapsedTime(started).TotalSeconds);
        }
    }

    private SshHostOptions SshFor(DeployTarget target) => new()
    {
        User = options.Ssh.User,
        PrivateKeyFile = options.Ssh.PrivateKeyFile,
        KnownHostsFile = options.Ssh.KnownHostsFile,
        Port = target.SshPort > 0 ? target.SshPort : options.Ssh.Port,
        ConnectTimeout = options.Ssh.ConnectTimeout,
        CommandTimeout = options.Ssh.CommandTimeout,
        KeepAliveInterval = options.Ssh.KeepAliveInterval,
    };
}
