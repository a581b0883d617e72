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
    public static async Task<FleetReport> DeployAsync(FleetRollout fleet, DeployerOptions options, IReadOnlyList<DeployTarget> targets,
        ReleaseContent release, RolloutRequest request, int parallel, int maxFailures, CancellationToken cancellationToken)
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
            (rollout, ct) => rollout.DeployAsync(release, recorded, ct), cancellationToken).ConfigureAwait(false);
        return await CommitAsync(recorder, pending, report, cancellationToken).ConfigureAwait(false);
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
                (rollout, ct) => rollout.RollbackAsync(services, holder, ct), cancellationToken).ConfigureAwait(false);
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
            (rollout, ct) => rollout.DeployAsync(release, request, ct), cancellationToken).ConfigureAwait(false);
        return await CommitAsync(recorder, pending, report, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Every instance's status, compared with the desired release; the desired release itself (null when none is kept).</summary>
    public static async Task<(IReadOnlyList<InstanceStatus> Statuses, DesiredRelease? Desired, string? Error)> StatusAsync(FleetRollout fleet,
        DeployerOptions options, IReadOnlyList<DeployTarget> targets, string stack, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(fleet);
        ArgumentNullException.ThrowIfNull(options);
        var statuses = await fleet.ForEachAsync(targets, stack, parallel: 4, maxFailures: int.MaxValue - 1,
            (rollout, ct) => rollout.StatusAsync(ct), s => s.Outcome == InstanceOutcome.Inspected,
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
