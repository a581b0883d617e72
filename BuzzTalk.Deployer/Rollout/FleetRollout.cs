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
        Func<InstanceRollout, CancellationToken, Task<InstanceReport>> action, CancellationToken cancellationToken)
    {
        var started = Stopwatch.GetTimestamp();
        var reports = await ForEachAsync(targets, bundleStack, parallel, maxFailures, action, r => r.Succeeded,
            (target, outcome, message, seconds) => new InstanceReport(target.Name, target.Host, outcome, message, [], seconds),
            cancellationToken).ConfigureAwait(false);
        return new FleetReport(operation, reports, Stopwatch.GetElapsedTime(started).TotalSeconds);
    }

    /// <summary>Any per-instance operation; <paramref name="failed"/> builds the result of an instance that could not be reached or was skipped.</summary>
    public async Task<IReadOnlyList<T>> ForEachAsync<T>(IReadOnlyList<DeployTarget> targets, string bundleStack, int parallel, int maxFailures,
        Func<InstanceRollout, CancellationToken, Task<T>> action, Func<T, bool> succeeded, Func<DeployTarget, InstanceOutcome, string, double, T> failed,
        CancellationToken cancellationToken)
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

    private async Task<T> RunOneAsync<T>(DeployTarget target, string bundleStack, Func<InstanceRollout, CancellationToken, Task<T>> action,
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
            var rollout = new InstanceRollout(target, session, files, options, layout, progress, time);
            return await action(rollout, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (InstanceRollout.IsUnreachable(ex) || ex is IOException)
        {
            return failed(target, InstanceOutcome.Unreachable, InstanceRollout.Describe(ex), Stopwatch.GetElapsedTime(started).TotalSeconds);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // One instance's trouble is its own report; the rest of the fleet goes on.
            return failed(target, InstanceOutcome.Failed, InstanceRollout.Describe(ex), Stopwatch.GetElapsedTime(started).TotalSeconds);
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
