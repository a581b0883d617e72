using BuzzTalk.Deployer.Configuration;
using BuzzTalk.Deployer.Rollout;

namespace BuzzTalk.Deployer.Releases;

/// <summary>
/// Deploy, rollback and status as the CLI and the service run them: the fleet operation plus the
/// desired release (prepared before, each instance's copy written on its success, recorded when
/// the whole fleet succeeded; compared against in status). Without <c>Deployer:Release:Bucket</c>
/// these are the plain fleet operations.
/// </summary>
public static class RecordedOperations
{
    /// <summary>
    /// The deploy. With <paramref name="fleetRollback"/>, when an instance fails after others were
    /// updated, every updated instance goes back to the release it ran before (its own history),
    /// so the fleet never stays split between releases.
    /// </summary>
    public static async Task<FleetReport> DeployAsync(FleetRollout fleet, DeployerOptions options, IReadOnlyList<DeployTarget> targets,
        ReleaseContent release, RolloutRequest request, int parallel, int maxFailures, bool fleetRollback, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(fleet);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(release);
        using var store = options.Release.Enabled ? new GcpReleaseStore(options.Release) : null;
        var recorder = store is null ? null : new ReleaseRecorder(store);
        ReleaseRecorder.Pending? pending = null;
        if (recorder is not null)
        {
            try
            {
                pending = await recorder.PrepareDeployAsync(release, request, cancellationToken).ConfigureAwait(false);
            }
            catch (ReleaseStoreException ex)
            {
                // Deploying what could not be recorded would boot new instances into the old release.
                return Refused("deploy", targets, $"the desired release could not be prepared: {ex.Message}; nothing deployed");
            }
        }

        var recorded = request with { Record = pending?.Candidate };
        var report = await fleet.RunAsync("deploy", targets, release.StackName, parallel, maxFailures,
            (instance, ct) => instance.Rollout().DeployAsync(release, recorded, ct), cancellationToken).ConfigureAwait(false);
        if (fleetRollback)
        {
            report = await RollBackUpdatedAsync(fleet, targets, release.StackName, report, request.Holder, parallel, cancellationToken).ConfigureAwait(false);
        }

        return await CommitAsync(recorder, pending, report, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// The fleet rollback: when some instance did not end on the new release (failed, rolled
    /// itself back, unreachable or skipped; not one that left the inventory), each instance that
    /// was updated goes back to what it ran before. Their reports say so and count as failed.
    /// </summary>
    private static async Task<FleetReport> RollBackUpdatedAsync(FleetRollout fleet, IReadOnlyList<DeployTarget> targets, string stack, FleetReport report,
        string holder, int parallel, CancellationToken cancellationToken)
    {
        var updated = Enumerable.Range(0, targets.Count).Where(i => report.Instances[i].Outcome == InstanceOutcome.Deployed).ToList();
        var failed = report.Instances.Where(i => !i.Succeeded && i.Outcome != InstanceOutcome.Gone).Select(i => i.Instance).ToList();
        if (updated.Count == 0 || failed.Count == 0)
        {
            return report;
        }

        // Swarm's own rollback is no fallback here: after a first deploy it would undo nothing
        // recorded, and an instance with nothing before this release keeps it.
        var back = await fleet.RunAsync("fleet rollback", [.. updated.Select(i => targets[i])], stack, parallel, int.MaxValue - 1,
            (instance, ct) => instance.Rollout().RollbackAsync(null, holder, ct, swarmFallback: false), cancellationToken).ConfigureAwait(false);
        var instances = report.Instances.ToArray();
        var because = $"{string.Join(", ", failed)} did not take the release";
        for (var k = 0; k < updated.Count; k++)
        {
            var (deployed, undone) = (instances[updated[k]], back.Instances[k]);
            if (undone.Outcome == InstanceOutcome.Skipped)
            {
                instances[updated[k]] = deployed with { Message = $"{deployed.Message}; kept ({because}): {undone.Message}" };
                continue;
            }

            instances[updated[k]] = deployed with
            {
                Outcome = undone.Succeeded ? InstanceOutcome.RolledBack : InstanceOutcome.Failed,
                Message = undone.Succeeded
                    ? $"deployed, then rolled back with the fleet ({because}): {undone.Message}"
                    : $"deployed, and the fleet rollback failed ({because}): {undone.Message}",
                Steps = [.. deployed.Steps, "fleet rollback", .. undone.Steps],
                Seconds = deployed.Seconds + undone.Seconds,
            };
        }

        return report with { Instances = instances, Seconds = report.Seconds + back.Seconds, FleetRollbackSeconds = back.Seconds };
    }

    public static async Task<FleetReport> RollbackAsync(FleetRollout fleet, DeployerOptions options, IReadOnlyList<DeployTarget> targets,
        string stack, IReadOnlyList<string>? services, string holder, int parallel, int maxFailures, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(fleet);
        ArgumentNullException.ThrowIfNull(options);
        using var store = options.Release.Enabled ? new GcpReleaseStore(options.Release) : null;
        var recorder = store is null ? null : new ReleaseRecorder(store);
        ReleaseRecorder.Pending? pending = null;
        if (recorder is not null)
        {
            try
            {
                pending = await recorder.PrepareRollbackAsync(services, holder, cancellationToken).ConfigureAwait(false);
            }
            catch (ReleaseStoreException ex)
            {
                return Refused("rollback", targets, $"the desired release could not be read: {ex.Message}; nothing rolled back");
            }
        }

        if (recorder is null || pending is null)
        {
            // Nothing recorded to go back to: swarm's own rollback to each service's previous spec.
            var swarmRollback = await fleet.RunAsync("rollback", targets, stack, parallel, maxFailures,
                (instance, ct) => instance.Rollout().RollbackAsync(services, holder, ct), cancellationToken).ConfigureAwait(false);
            return recorder is null ? swarmRollback : swarmRollback with { Record = "desired release unchanged: no earlier release is recorded to go back to" };
        }

        // A real rollback: the recorded release deployed again, whole, with its tags and env files,
        // through the same health gate as any deploy. It works on an instance booted since (whose
        // services have no previous spec) and never depends on what swarm remembers.
        var target = pending.Candidate;
        ReleaseContent release;
        IReadOnlyDictionary<string, byte[]>? envFiles = null;
        try
        {
            release = ReleaseContent.FromRecord(target, ReleaseArchive.Read(await recorder.Store.ReadObjectAsync(target.BundleObject, cancellationToken)
                .ConfigureAwait(false)), stack);
            if (target.EnvSecretVersion is { } version)
            {
                envFiles = await recorder.Store.ReadEnvVersionAsync(version, cancellationToken).ConfigureAwait(false);
            }
        }
        catch (Exception ex) when (ex is ReleaseStoreException or InvalidDataException)
        {
            return Refused("rollback", targets, $"the release to go back to ({target.Describe()}) could not be read: {ex.Message}; nothing rolled back");
        }

        var request = new RolloutRequest { Tags = ReleaseContent.TagsOf(target), EnvFiles = envFiles, Holder = holder, Record = target };
        var report = await fleet.RunAsync("rollback", targets, stack, parallel, maxFailures,
            (instance, ct) => instance.Rollout().DeployAsync(release, request, ct), cancellationToken).ConfigureAwait(false);
        return await CommitAsync(recorder, pending, report, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Every instance's status, compared with the desired release; the desired release itself (null when none is kept).</summary>
    public static async Task<(IReadOnlyList<InstanceStatus> Statuses, DesiredRelease? Desired, string? Error)> StatusAsync(FleetRollout fleet,
        DeployerOptions options, IReadOnlyList<DeployTarget> targets, string stack, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(fleet);
        ArgumentNullException.ThrowIfNull(options);
        var statuses = await fleet.ForEachAsync(targets, stack, parallel: 4, maxFailures: int.MaxValue - 1,
            (instance, ct) => instance.Inspector().StatusAsync(ct), s => s.Outcome == InstanceOutcome.Inspected,
            (t, outcome, message, _) => new InstanceStatus(t.Name, t.Host, outcome, message), cancellationToken).ConfigureAwait(false);
        if (!options.Release.Enabled)
        {
            return (statuses, null, null);
        }

        try
        {
            using var store = new GcpReleaseStore(options.Release);
            var (desired, _) = await store.ReadDesiredAsync(cancellationToken).ConfigureAwait(false);
            return ([.. statuses.Select(s => ReleaseDrift.Against(s, desired))], desired, null);
        }
        catch (ReleaseStoreException ex)
        {
            return (statuses, null, $"the desired release could not be read: {ex.Message}");
        }
    }

    private static async Task<FleetReport> CommitAsync(ReleaseRecorder? recorder, ReleaseRecorder.Pending? pending, FleetReport report,
        CancellationToken cancellationToken)
    {
        if (recorder is null || pending is null)
        {
            return report;
        }

        try
        {
            return report with { Record = await recorder.CommitAsync(pending, report, cancellationToken).ConfigureAwait(false) };
        }
        catch (ReleaseStoreException ex)
        {
            return report with { RecordError = $"the desired release was not recorded: {ex.Message}" };
        }
    }

    private static FleetReport Refused(string operation, IReadOnlyList<DeployTarget> targets, string message) =>
        new(operation, [.. targets.Select(t => new InstanceReport(t.Name, t.Host, InstanceOutcome.Skipped, message, [], 0))], 0) { RecordError = message };
}
