using System.Diagnostics;
using BuzzTalk.Deployer.Configuration;
using BuzzTalk.Deployer.Releases;
using BuzzTalk.Fleet.Leases;
using BuzzTalk.Fleet.Ssh;
using BuzzTalk.Fleet.Swarm;

namespace BuzzTalk.Deployer.Rollout;

/// <summary>
/// Deploys to, rolls back and inspects one instance: under its deploy lease, the release is
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

    // Whether this rollout replaced the edge's config: a rollback puts the old one back.
    private bool _edgeChanged;

    public DeployTarget Target => target;

    /// <summary>Removes the instance's lease whoever holds it; returns what was there.</summary>
    public Task<LeaseState?> ForceReleaseLeaseAsync(CancellationToken cancellationToken) => _lease.ForceReleaseAsync(cancellationToken);

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
        var before = await SnapshotAsync(ct).ConfigureAwait(false);
        // The old release under the current load, for the gate to compare with (none to compare on a first deploy).
        var gate = Gate(release.HealthPath);
        var baseline = before.Count > 0 ? await gate.BaselineAsync(ct).ConfigureAwait(false) : null;
        var (affected, waveFailure) = await ApplyAsync(release, request, before, ct).ConfigureAwait(false);
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
            await RollBackChangedAsync(affected, before, gate, baseline, ct).ConfigureAwait(false);
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
                return await SwarmRollbackAsync(services, ct).ConfigureAwait(false);
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

    private async Task<(InstanceOutcome, string)> SwarmRollbackAsync(IReadOnlyList<string>? services, CancellationToken ct)
    {
        var before = await SnapshotAsync(ct).ConfigureAwait(false);
        var names = services is null
            ? before.Values.Where(s => s.HasPreviousSpec).Select(s => s.Name).ToList()
            : services.Select(FullName).ToList();
        if (names.Count == 0)
        {
            return (InstanceOutcome.Failed, "nothing to roll back: no release recorded before the current one and no service has a previous spec");
        }

        foreach (var name in names)
        {
            Step($"docker service rollback {name}");
            await _swarm.RollbackAsync(name, ct).ConfigureAwait(false);
        }

        try
        {
            await Convergence.RolledBackAsync(names, before, new HashSet<string>(), ct).ConfigureAwait(false);
            // Which release swarm went back to is unknown here: the health path of a bundle that declares none.
            await Gate(healthPath: null).CheckAsync(names, baseline: null, ct).ConfigureAwait(false);
        }
        catch (RolloutFailedException failure)
        {
            return (InstanceOutcome.Failed, failure.Message);
        }

        await Releases.SwapToPreviousAsync(ct).ConfigureAwait(false);
        return (InstanceOutcome.Reverted, $"rolled back {string.Join(", ", names)}");
    }

    /// <summary>Services, lease and releases of the instance; read only.</summary>
    public async Task<InstanceStatus> StatusAsync(CancellationToken cancellationToken)
    {
        var services = new List<ServiceStatus>();
        foreach (var service in await _swarm.StackServicesAsync(layout.Stack, cancellationToken).ConfigureAwait(false))
        {
            var running = (await _swarm.TasksAsync(service.Name, cancellationToken).ConfigureAwait(false)).Count(t => t.IsRunning);
            services.Add(new ServiceStatus(service.Name, WithoutDigest(service.Image), running, service.IsGlobal ? null : service.DesiredReplicas, service.UpdateState));
        }

        var lease = await _lease.ReadAsync(cancellationToken).ConfigureAwait(false);
        return new InstanceStatus(target.Name, target.Host, InstanceOutcome.Inspected, services.Count == 0 ? $"stack {layout.Stack} is not deployed" : "ok")
        {
            Stack = layout.Stack,
            Services = services,
            CurrentRelease = await Releases.ReadLinkAsync(layout.Current, cancellationToken).ConfigureAwait(false),
            PreviousRelease = await Releases.ReadLinkAsync(layout.Previous, cancellationToken).ConfigureAwait(false),
            Lease = lease is null ? null : new LeaseView(lease.Holder, lease.Operation, lease.Expires, lease.IsHeld),
            Running = await Releases.ReadRunningRecordAsync(cancellationToken).ConfigureAwait(false),
            History = [.. (await _history.ReadAsync(cancellationToken).ConfigureAwait(false)).TakeLast(InstanceStatus.HistoryShown)],
        };
    }

    /// <summary>What <see cref="DeployAsync"/> would change; read only.</summary>
    public async Task<InstancePlan> PlanAsync(ReleaseContent release, RolloutRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(release);
        ArgumentNullException.ThrowIfNull(request);
        var current = await Releases.ReadLinkAsync(layout.Current, cancellationToken).ConfigureAwait(false);
        var running = (await _swarm.StackServicesAsync(layout.Stack, cancellationToken).ConfigureAwait(false))
            .ToDictionary(s => s.Name, s => WithoutDigest(s.Image), StringComparer.Ordinal);
        var services = request.Services ?? [.. release.ServiceImages.Keys];
        var changes = new List<ImageChange>();
        foreach (var service in services)
        {
            var planned = request.ImageTag is { } tag ? release.ImageWithTag(service, tag) : release.DefaultImage(service);
            var now = running.GetValueOrDefault(FullName(service));
            if (now != planned)
            {
                changes.Add(new ImageChange(FullName(service), now, planned));
            }
        }

        var remote = await files.ReadFileAsync($"{layout.Current}/{ReleaseContent.StackPath}", cancellationToken).ConfigureAwait(false);
        var diff = request.Services is null
            ? LineDiff.Compute(remote is null ? "" : System.Text.Encoding.UTF8.GetString(remote), System.Text.Encoding.UTF8.GetString(release.Files[ReleaseContent.StackPath]))
            : [];
        var lease = await _lease.ReadAsync(cancellationToken).ConfigureAwait(false);
        var unchanged = changes.Count == 0 && diff.Count == 0 && current == release.ReleaseId;
        return new InstancePlan(target.Name, target.Host, InstanceOutcome.Inspected, unchanged ? "up to date" : "would change")
        {
            CurrentRelease = current,
            NewRelease = release.ReleaseId,
            Images = changes,
            StackDiff = diff,
            LeaseHeld = lease?.IsHeld == true,
        };
    }

    private static string WithoutDigest(string image) => image.Split('@')[0];

    private async Task<InstanceReport> UnderLeaseAsync(string operation, string holder, string? releaseId,
        Func<CancellationToken, Task<(InstanceOutcome, string)>> work, CancellationToken cancellationToken)
    {
        var started = Stopwatch.GetTimestamp();
        var (outcome, message) = await new LeaseScope(_lease, options, _time, Step).RunAsync(holder, operation, work, cancellationToken).ConfigureAwait(false);
        return new(target.Name, target.Host, outcome, message, [.. _steps], Stopwatch.GetElapsedTime(started).TotalSeconds) { Release = releaseId };
    }

    private Task<Dictionary<string, ServiceRollout>> SnapshotAsync(CancellationToken cancellationToken) =>
        Convergence.SnapshotAsync(layout.Stack, cancellationToken);

    /// <summary>
    /// Deploys the release (the whole stack, after its start waves) or updates the named services'
    /// images; returns the services it changes, and the failure of a start wave, which the caller
    /// handles as a failed convergence (the whole stack is then not deployed).
    /// </summary>
    private async Task<(IReadOnlyList<string> Affected, RolloutFailedException? WaveFailure)> ApplyAsync(ReleaseContent release, RolloutRequest request,
        IReadOnlyDictionary<string, ServiceRollout> before, CancellationToken cancellationToken)
    {
        if (request.Services is null)
        {
            var environment = new Dictionary<string, string>(StringComparer.Ordinal)
            {
                ["BUZZTALK_ENV_DIR"] = layout.EnvDirectory,
                ["BUZZTALK_RUN_DIR"] = layout.RunDirectory,
                [InstanceEdge.DirectoryVariable] = layout.Edge,
            };

            // The frontend mounts it: a missing bind source fails the task. Created at boot by the
            // instance script (as root); here only where the deploy user may.
            await runner.RunAsync("mkdir", ["-p", "--", layout.RunDirectory], cancellationToken: cancellationToken).ConfigureAwait(false);
            if (request.ImageTag is { } tag)
            {
                foreach (var variable in release.ServiceImages.Keys.Select(release.TagVariable).OfType<string>())
                {
                    environment[variable] = tag;
                }
            }

            foreach (var (variable, recorded) in request.Tags ?? new Dictionary<string, string>())
            {
                environment[variable] = recorded;
            }

            // Before the stack: a new edge starts with it; a running one reloads it.
            _edgeChanged = await Edge.InstallAsync(layout.Release(release.ReleaseId), cancellationToken).ConfigureAwait(false);
            IReadOnlyList<string> all = [.. release.ServiceImages.Keys.Select(FullName)];
            try
            {
                await StartWavesAsync(release, environment, before, cancellationToken).ConfigureAwait(false);
            }
            catch (RolloutFailedException failure)
            {
                return (all, failure);
            }
            catch when (_edgeChanged)
            {
                await Edge.RestoreAsync(CancellationToken.None).ConfigureAwait(false);
                throw;
            }

            Step($"docker stack deploy {layout.Stack} ({release.ReleaseId})");
            try
            {
                await _swarm.StackDeployAsync(layout.StackFile(release.ReleaseId), layout.Stack, environment, cancellationToken).ConfigureAwait(false);
            }
            catch when (_edgeChanged)
            {
                // The stack kept its old release: so does the edge.
                await Edge.RestoreAsync(CancellationToken.None).ConfigureAwait(false);
                throw;
            }
            return (all, null);
        }

        var names = new List<string>();
        foreach (var service in request.Services)
        {
            var image = release.ImageWithTag(service, request.ImageTag ?? "latest");
            Step($"docker service update --image {image} {FullName(service)}");
            await _swarm.UpdateImageAsync(FullName(service), image, cancellationToken).ConfigureAwait(false);
            names.Add(FullName(service));
        }

        return (names, null);
    }

    /// <summary>
    /// Swarm starts a stack's services all at once: services that wait for others in the model
    /// are started in waves, each wave's file (the services up to it) deployed without pruning,
    /// so the later services are left as they are, until the wave's services run their tasks: new
    /// ones once started, changed ones once their update completed (swarm keeps a task whose health
    /// check has not passed in <c>starting</c>, so running tasks are healthy ones).
    /// </summary>
    private async Task StartWavesAsync(ReleaseContent release, IReadOnlyDictionary<string, string> environment,
        IReadOnlyDictionary<string, ServiceRollout> before, CancellationToken cancellationToken)
    {
        for (var i = 0; i < release.StartOrder.Count; i++)
        {
            var wave = release.StartOrder[i];
            Step($"start wave {i + 1}: {string.Join(", ", wave.Services)}");
            await _swarm.StackDeployAsync($"{layout.Release(release.ReleaseId)}/{wave.File}", layout.Stack, environment, cancellationToken).ConfigureAwait(false);
            await Convergence.UpdatedAsync([.. wave.Services.Select(FullName)], before, cancellationToken).ConfigureAwait(false);
        }
    }

    private async Task RollBackChangedAsync(IReadOnlyList<string> affected, Dictionary<string, ServiceRollout> before, HealthGate gate, SiteSample? baseline,
        CancellationToken cancellationToken)
    {
        if (_edgeChanged)
        {
            await Edge.RestoreAsync(cancellationToken).ConfigureAwait(false);
        }

        // Rollbacks are told apart from the failed update by when they start.
        var failed = await SnapshotAsync(cancellationToken).ConfigureAwait(false);
        var rolled = new List<string>();
        var bySwarm = new HashSet<string>(StringComparer.Ordinal);
        foreach (var name in affected)
        {
            var now = failed.GetValueOrDefault(name);
            var was = before.GetValueOrDefault(name);
            if (now is null || was is null || now.Version == was.Version)
            {
                continue;
            }

            if (now.UpdateState is "rollback_started" or "rollback_completed" && now.UpdateStartedAt != was.UpdateStartedAt)
            {
                // The stack's failure_action: swarm is already rolling this service back.
                Step($"{name}: swarm is rolling back");
                bySwarm.Add(name);
                continue;
            }

            Step($"docker service rollback {name}");
            await _swarm.RollbackAsync(name, cancellationToken).ConfigureAwait(false);
            rolled.Add(name);
        }

        await Convergence.RolledBackAsync([.. rolled, .. bySwarm], failed, bySwarm, cancellationToken).ConfigureAwait(false);
        await gate.CheckAsync([.. rolled, .. bySwarm], baseline, cancellationToken).ConfigureAwait(false);
    }

    private string FullName(string service) => $"{layout.Stack}_{SwarmNames.RequireServiceName(service)}";

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
