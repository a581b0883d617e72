using System.Diagnostics;
using BuzzTalk.Deployer.Configuration;
using BuzzTalk.Deployer.Releases;
using BuzzTalk.Fleet.Leases;
using BuzzTalk.Fleet.Ssh;
using BuzzTalk.Fleet.Swarm;

namespace BuzzTalk.Deployer.Rollout;

/// <summary>
/// Deploys to and rolls back one instance: under its deploy lease, the release is
/// uploaded by SFTP, the stack deployed (start-first where the stack says so), the new tasks
/// awaited and the instance's health checked through its nginx; any failure rolls the changed
/// services back and the lease is always released.
/// </summary>
public sealed class InstanceRollout(
    DeployTarget target,
    IRemoteRunner runner,
    IRemoteFiles files,
    DeployerOptions options,
    RemoteLayout layout,
    Action<DeployTarget, string>? progress = null,
    TimeProvider? time = null)
{
    private readonly TimeProvider _time = time ?? TimeProvider.System;
    private readonly SwarmClient _swarm = new(runner);
    private readonly DeployLease _lease = new(runner, layout.LeaseDirectory);
    private readonly InstanceHistory _history = new(files, layout);
    private readonly List<string> _steps = [];
    /// <summary>The health gate of a release with the given health path (null: one that declares none).</summary>
    private HealthGate Gate(string? healthPath) => new(runner, _swarm, options, target.Name, healthPath, Step, _time);
    private EdgeConfig Edge => new(runner, _swarm, layout, Step);
    private ConvergenceWaiter Convergence => new(_swarm, options, _time, Step);
    private InstanceReleases Releases => new(runner, files, layout, _history, options.KeepReleases, Step);
    private SwarmRollback SwarmRollback => new(_swarm, layout, Convergence, Step);

    public async Task<InstanceReport> DeployAsync(ReleaseContent release, RolloutRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(release);
        ArgumentNullException.ThrowIfNull(request);
        RequireReleaseId(release.ReleaseId);
        return await UnderLeaseAsync($"deploy {release.ReleaseId}", request.Holder, release.ReleaseId,
            ct => RolloutAsync(release, request, request.Record, ct), cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Uploads (unless the release is already on the host), deploys, waits and checks; on success
    /// switches <c>current</c>, keeps the record and appends <paramref name="entry"/> (null: the
    /// record this deploy makes of the last one) to the instance's history.
    /// </summary>
    private async Task<(InstanceOutcome, string)> RolloutAsync(ReleaseContent release, RolloutRequest request, DesiredRelease? entry, CancellationToken ct)
    {
        var recorded = await _history.ReadAsync(ct).ConfigureAwait(false);
        // An instance that booted into a recorded release by itself (startup/instance.sh) has no
        // history yet: that release is its first entry, so a rollback can go back to it.
        var booted = recorded.Count == 0 ? await Releases.ReadRunningRecordAsync(ct).ConfigureAwait(false) : null;
        await Releases.UploadAsync(release, request, ct).ConfigureAwait(false);
        var before = await Convergence.SnapshotAsync(layout.Stack, ct).ConfigureAwait(false);
        // The old release under the current load, for the gate to compare with (none to compare on a first deploy).
        var gate = Gate(release.HealthPath);
        var baseline = before.Count > 0 ? await gate.BaselineAsync(ct).ConfigureAwait(false) : null;
        var apply = new StackApply(runner, _swarm, layout, Edge, new StartWaves(_swarm, layout, Convergence, Step), Step);
        var (affected, waveFailure) = await apply.ApplyAsync(release, request, before, ct).ConfigureAwait(false);
        try
        {
            if (waveFailure is not null)
            {
                // A start wave that did not come up fails like a convergence: what it changed is rolled back.
                throw waveFailure;
            }

            await Convergence.UpdatedAsync(affected, before, ct).ConfigureAwait(false);
            await gate.CheckAsync(affected, baseline, ct).ConfigureAwait(false);
        }
        catch (RolloutFailedException failure)
        {
            Step($"failed: {failure.Message}");
            if (apply.EdgeChanged)
            {
                await Edge.RestoreAsync(ct).ConfigureAwait(false);
            }

            await SwarmRollback.ChangedAsync(affected, before, gate, baseline, ct).ConfigureAwait(false);
            return (InstanceOutcome.RolledBack, $"{failure.Message}; rolled back to the previous release");
        }

        await Releases.SwitchCurrentAsync(release.ReleaseId, ct).ConfigureAwait(false);
        await Releases.WriteRunningRecordAsync(request.Record, ct).ConfigureAwait(false);
        if (booted is not null)
        {
            await _history.AppendAsync(booted, ct).ConfigureAwait(false);
            recorded = [booted];
        }

        entry ??= ReleaseRecorder.Next(recorded.Count > 0 ? recorded[^1] : null, release, request, bundleObject: "", _time.GetUtcNow());
        await _history.AppendAsync(entry, ct).ConfigureAwait(false);
        Step($"history: {entry.Operation} {entry.Describe()}");
        await Releases.PruneAsync(ct).ConfigureAwait(false);
        return (InstanceOutcome.Deployed, $"release {release.ReleaseId} runs and answers its health check");
    }

    /// <summary>
    /// Rolls the given services (default: the whole stack) back to the release the instance ran
    /// before its last one, as its history records it: that release's stack file (kept on the
    /// host) deployed again with its recorded tags, through the same health gate as a deploy. It
    /// works whether or not swarm still has a previous spec (after swarm's own rollback, on a
    /// recreated stack). Without two recorded releases, swarm's rollback to each service's
    /// previous spec; with <paramref name="swarmFallback"/> false, the instance is left as it is
    /// (reported skipped).
    /// </summary>
    public Task<InstanceReport> RollbackAsync(IReadOnlyList<string>? services, string holder, CancellationToken cancellationToken, bool swarmFallback = true) =>
        UnderLeaseAsync("rollback", holder, null, async ct =>
        {
            var history = await _history.ReadAsync(ct).ConfigureAwait(false);
            if (InstanceHistory.RollbackTarget(history, services) is not { } target)
            {
                if (!swarmFallback)
                {
                    return (InstanceOutcome.Skipped, "no release recorded before the current one: nothing to go back to");
                }

                Step("fewer than two releases recorded: swarm's rollback to each service's previous spec");
                // Which release swarm goes back to is unknown here: the health path of a bundle that declares none.
                return await SwarmRollback.PreviousSpecsAsync(services, Gate(healthPath: null), Releases, ct).ConfigureAwait(false);
            }

            var record = target with
            {
                Revision = history[^1].Revision + 1,
                Operation = "rollback",
                RecordedAt = _time.GetUtcNow(),
                RecordedBy = holder,
                Previous = null,
            };
            Step($"roll back to {target.Describe()}, recorded {history[^2].RecordedAt:u}{(history[^2].RecordedBy is { } by ? " by " + by : "")}");
            // The release's files are on the host already; its stack file says what its health gate asks.
            var stackFile = await files.ReadFileAsync($"{layout.Release(target.Release)}/{ReleaseContent.StackPath}", ct).ConfigureAwait(false);
            var release = ReleaseContent.FromRecord(target, new Dictionary<string, byte[]>(), layout.Stack) with
            {
                HealthPath = stackFile is null ? null : Bundle.DeployBundle.HealthPathOf(stackFile),
            };
            var request = new RolloutRequest
            {
                Tags = ReleaseContent.TagsOf(target),
                Holder = holder,
                // The fleet's record, where one is kept, says what the instance runs again.
                Record = options.Release.Enabled ? record : null,
            };
            var (outcome, message) = await RolloutAsync(release, request, record, ct).ConfigureAwait(false);
            return outcome == InstanceOutcome.Deployed
                ? (InstanceOutcome.Reverted, $"rolled back to {target.Describe()}")
                : (InstanceOutcome.Failed, $"the rollback to {target.Describe()} failed: {message}");
        }, cancellationToken);

    private async Task<InstanceReport> UnderLeaseAsync(string operation, string holder, string? releaseId,
        Func<CancellationToken, Task<(InstanceOutcome, string)>> work, CancellationToken cancellationToken)
    {
        var started = Stopwatch.GetTimestamp();
        var (outcome, message) = await new LeaseScope(_lease, options, _time, Step).RunAsync(holder, operation, work, cancellationToken).ConfigureAwait(false);
        return new(target.Name, target.Host, outcome, message, [.. _steps], Stopwatch.GetElapsedTime(started).TotalSeconds) { Release = releaseId };
    }

    private void Step(string message)
    {
        _steps.Add(message);
        progress?.Invoke(target, message);
    }

    private static void RequireReleaseId(string id)
    {
        if (!InstanceReleases.IsReleaseId(id))
        {
            throw new ArgumentException($"Release id '{id}' is not 12 lower-case hex digits.", nameof(id));
        }
    }
}
