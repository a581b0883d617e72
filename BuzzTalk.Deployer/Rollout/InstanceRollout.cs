using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;
using System.Text.Json;
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
public sealed partial class InstanceRollout(
    DeployTarget target,
    IRemoteRunner runner,
    IRemoteFiles files,
    DeployerOptions options,
    RemoteLayout layout,
    Action<DeployTarget, string>? progress = null,
    TimeProvider? time = null)
{
    private const UnixFileMode PublicFile = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead;
    private const UnixFileMode SecretFile = UnixFileMode.UserRead | UnixFileMode.UserWrite;

    private readonly TimeProvider _time = time ?? TimeProvider.System;
    private readonly SwarmClient _swarm = new(runner, time: time);
    private readonly DeployLease _lease = new(runner, layout.LeaseDirectory);
    private readonly InstanceHistory _history = new(files, layout);
    private HealthGate Gate => new(runner, _swarm, options, target.Name, Step, _time);
    private EdgeConfig Edge => new(runner, _swarm, layout, Step);

    // Whether this rollout replaced the edge's config: a rollback puts the old one back.
    private bool _edgeChanged;
    private readonly List<string> _steps = [];

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
        var booted = recorded.Count == 0 ? await ReadRunningRecordAsync(ct).ConfigureAwait(false) : null;
        await UploadAsync(release, request, ct).ConfigureAwait(false);
        var before = await SnapshotAsync(ct).ConfigureAwait(false);
        // The old release under the current load, for the gate to compare with (none to compare on a first deploy).
        var baseline = before.Count > 0 ? await Gate.BaselineAsync(ct).ConfigureAwait(false) : null;
        var affected = await ApplyAsync(release, request, ct).ConfigureAwait(false);
        try
        {
            await WaitConvergedAsync(affected, before, ct).ConfigureAwait(false);
            await Gate.CheckAsync(affected, baseline, ct).ConfigureAwait(false);
        }
        catch (RolloutFailedException failure)
        {
            Step($"failed: {failure.Message}");
            await RollBackChangedAsync(affected, before, baseline, ct).ConfigureAwait(false);
            return (InstanceOutcome.RolledBack, $"{failure.Message}; rolled back to the previous release");
        }

        await SwitchCurrentAsync(release.ReleaseId, ct).ConfigureAwait(false);
        await WriteRunningRecordAsync(request.Record, ct).ConfigureAwait(false);
        if (booted is not null)
        {
            await _history.AppendAsync(booted, ct).ConfigureAwait(false);
            recorded = [booted];
        }

        entry ??= ReleaseRecorder.Next(recorded.Count > 0 ? recorded[^1] : null, release, request, bundleObject: "", _time.GetUtcNow());
        await _history.AppendAsync(entry, ct).ConfigureAwait(false);
        Step($"history: {entry.Operation} {entry.Describe()}");
        await PruneAsync(ct).ConfigureAwait(false);
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
            var release = ReleaseContent.FromRecord(target, new Dictionary<string, byte[]>(), layout.Stack);
            var request = new RolloutRequest
            {
                Tags = ReleaseContent.TagsOf(target),
                Holder = holder,
                // The fleet's record, where one is kept, says what the instance runs again.
                Record = options.Release.Enabled ? record : null,
            };
            var (outcome, message) = await RolloutAsync(release, request, record, ct).ConfigureAwait(false);
            return outcome == InstanceOutcome.Deployed
                ? (InstanceOutcome.Deployed, $"rolled back to {target.Describe()}")
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
            await WaitRolledBackAsync(names, before, new HashSet<string>(), ct).ConfigureAwait(false);
            await Gate.CheckAsync(names, baseline: null, ct).ConfigureAwait(false);
        }
        catch (RolloutFailedException failure)
        {
            return (InstanceOutcome.Failed, failure.Message);
        }

        await SwapToPreviousAsync(ct).ConfigureAwait(false);
        return (InstanceOutcome.Deployed, $"rolled back {string.Join(", ", names)}");
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
            CurrentRelease = await ReadLinkAsync(layout.Current, cancellationToken).ConfigureAwait(false),
            PreviousRelease = await ReadLinkAsync(layout.Previous, cancellationToken).ConfigureAwait(false),
            Lease = lease is null ? null : new LeaseView(lease.Holder, lease.Operation, lease.Expires, lease.IsHeld),
            Running = await ReadRunningRecordAsync(cancellationToken).ConfigureAwait(false),
            History = [.. (await _history.ReadAsync(cancellationToken).ConfigureAwait(false)).TakeLast(InstanceStatus.HistoryShown)],
        };
    }

    /// <summary>The release record the instance says it runs; null when there is none or it does not parse.</summary>
    private async Task<DesiredRelease?> ReadRunningRecordAsync(CancellationToken cancellationToken)
    {
        var content = await files.ReadFileAsync(layout.RunningRecord, cancellationToken).ConfigureAwait(false);
        try
        {
            return content is null ? null : JsonSerializer.Deserialize(content, ReleaseJsonContext.Default.DesiredRelease);
        }
        catch (JsonException)
        {
            return null; // Shown as drift: the instance cannot say what it runs.
        }
    }

    private async Task WriteRunningRecordAsync(DesiredRelease? record, CancellationToken cancellationToken)
    {
        if (record is null)
        {
            return;
        }

        await files.WriteFileAsync(layout.RunningRecord, JsonSerializer.SerializeToUtf8Bytes(record.WithoutHistory(), ReleaseJsonContext.Default.DesiredRelease),
            PublicFile, cancellationToken).ConfigureAwait(false);
        Step($"runs {record.Describe()}");
    }

    /// <summary>What <see cref="DeployAsync"/> would change; read only.</summary>
    public async Task<InstancePlan> PlanAsync(ReleaseContent release, RolloutRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(release);
        ArgumentNullException.ThrowIfNull(request);
        var current = await ReadLinkAsync(layout.Current, cancellationToken).ConfigureAwait(false);
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
        InstanceReport Report(InstanceOutcome outcome, string message) =>
            new(target.Name, target.Host, outcome, message, [.. _steps], Stopwatch.GetElapsedTime(started).TotalSeconds) { Release = releaseId };

        HeldLease lease;
        try
        {
            lease = await AcquireAsync(holder, operation, cancellationToken).ConfigureAwait(false);
        }
        catch (LeaseBusyException busy)
        {
            return Report(InstanceOutcome.LeaseBusy,
                $"lease held by {busy.Current.Holder} for '{busy.Current.Operation}' until {busy.Current.Expires:u}; nothing changed");
        }
        catch (Exception ex) when (SshFailure.IsUnreachable(ex))
        {
            return Report(InstanceOutcome.Unreachable, Describe(ex));
        }

        // A lease lost to expiry (this process stalled) stops the operation: someone else may act.
        using var lost = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        using var stopRenewing = new CancellationTokenSource();
        var renewing = RenewAsync(lease, lost, stopRenewing.Token);
        InstanceOutcome outcome;
        string message;
        try
        {
            (outcome, message) = await work(lost.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (lost.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            (outcome, message) = (InstanceOutcome.Failed, "the deploy lease was lost (expired or released by an operator); stopped");
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // Whatever went wrong on this instance is its report, not the end of the fleet run.
            (outcome, message) = (InstanceOutcome.Failed, Describe(ex));
        }
        finally
        {
            await stopRenewing.CancelAsync().ConfigureAwait(false);
            await renewing.ConfigureAwait(false);
            try
            {
                using var releaseTimeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
                if (await _lease.ReleaseAsync(lease, releaseTimeout.Token).ConfigureAwait(false))
                {
                    Step("lease released");
                }
            }
            catch (Exception ex) when (ex is IOException or TimeoutException or OperationCanceledException)
            {
                // It lapses by itself at its expiry.
                Step($"lease not released ({Describe(ex)}); it expires at {lease.Expires:u}");
            }
        }

        return Report(outcome, message);
    }

    private async Task<HeldLease> AcquireAsync(string holder, string operation, CancellationToken cancellationToken)
    {
        var deadline = _time.GetUtcNow() + options.LeaseWait;
        while (true)
        {
            try
            {
                Step("lease");
                var lease = await _lease.AcquireAsync(holder, operation, options.LeaseTtl, cancellationToken).ConfigureAwait(false);
                Step($"lease acquired until {lease.Expires:u}");
                return lease;
            }
            catch (LeaseBusyException) when (_time.GetUtcNow() < deadline)
            {
                await Task.Delay(options.PollInterval, _time, cancellationToken).ConfigureAwait(false);
            }
        }
    }

    private async Task RenewAsync(HeldLease lease, CancellationTokenSource lost, CancellationToken stop)
    {
        var every = options.LeaseTtl / 3;
        try
        {
            while (true)
            {
                await Task.Delay(every, _time, stop).ConfigureAwait(false);
                if (await _lease.RenewAsync(lease, options.LeaseTtl, stop).ConfigureAwait(false) is null)
                {
                    await lost.CancelAsync().ConfigureAwait(false);
                    return;
                }
            }
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
        }
        catch (Exception ex) when (ex is IOException or TimeoutException)
        {
            // One failed renewal is not a lost lease; the next command on this host will fail anyway.
        }
    }

    private async Task UploadAsync(ReleaseContent release, RolloutRequest request, CancellationToken cancellationToken)
    {
        // Checks first, so a refused rollout changes nothing on the host.
        if (request.EnvFiles is null)
        {
            var probe = await runner.RunAsync("test", ["-f", $"{layout.EnvDirectory}/backend.env"], cancellationToken: cancellationToken).ConfigureAwait(false);
            if (!probe.Succeeded)
            {
                throw new RolloutFailedException($"{layout.EnvDirectory}/backend.env is missing on the host: run render-env and deploy with --env-dir");
            }
        }

        var directory = layout.Release(release.ReleaseId);
        if (release.Files.Count == 0)
        {
            // A recorded release deployed again: its files must still be on the host.
            if (!(await runner.RunAsync("test", ["-f", layout.StackFile(release.ReleaseId)], cancellationToken: cancellationToken).ConfigureAwait(false)).Succeeded)
            {
                throw new RolloutFailedException($"release {release.ReleaseId} is no longer on the host ({directory})");
            }
        }
        else
        {
            Step($"upload release to {directory}");
        }

        foreach (var (path, content) in release.Files.OrderBy(f => f.Key, StringComparer.Ordinal))
        {
            await files.WriteFileAsync($"{directory}/{path}", content, PublicFile, cancellationToken).ConfigureAwait(false);
        }

        foreach (var (name, content) in request.EnvFiles ?? new Dictionary<string, byte[]>())
        {
            if (!EnvFileName().IsMatch(name))
            {
                throw new RolloutFailedException($"env file name '{name}' is not [A-Za-z0-9._-]+.env");
            }

            Step($"upload {layout.EnvDirectory}/{name} (0600)");
            await files.WriteFileAsync($"{layout.EnvDirectory}/{name}", content, SecretFile, cancellationToken).ConfigureAwait(false);
        }
    }

    private async Task<Dictionary<string, ServiceRollout>> SnapshotAsync(CancellationToken cancellationToken)
    {
        var services = await _swarm.StackServicesAsync(layout.Stack, cancellationToken).ConfigureAwait(false);
        var snapshot = new Dictionary<string, ServiceRollout>(StringComparer.Ordinal);
        foreach (var service in services)
        {
            // The list does not carry the task-spec comparison; inspect each.
            if (await _swarm.InspectRolloutAsync(service.Name, cancellationToken).ConfigureAwait(false) is { } inspected)
            {
                snapshot[service.Name] = inspected;
            }
        }

        return snapshot;
    }

    private async Task<IReadOnlyList<string>> ApplyAsync(ReleaseContent release, RolloutRequest request, CancellationToken cancellationToken)
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
            return [.. release.ServiceImages.Keys.Select(FullName)];
        }

        var names = new List<string>();
        foreach (var service in request.Services)
        {
            var image = release.ImageWithTag(service, request.ImageTag ?? "latest");
            Step($"docker service update --image {image} {FullName(service)}");
            await _swarm.UpdateImageAsync(FullName(service), image, cancellationToken).ConfigureAwait(false);
            names.Add(FullName(service));
        }

        return names;
    }

    private async Task WaitConvergedAsync(IReadOnlyList<string> services, Dictionary<string, ServiceRollout> before, CancellationToken cancellationToken)
    {
        Step($"wait for {string.Join(", ", services)}");
        var deadline = _time.GetUtcNow() + options.ConvergeTimeout;
        var pending = services.ToList();
        while (pending.Count > 0)
        {
            foreach (var name in pending.ToList())
            {
                var now = await _swarm.InspectRolloutAsync(name, cancellationToken).ConfigureAwait(false);
                var was = before.GetValueOrDefault(name);
                if (now is null)
                {
                    continue;
                }

                var newUpdate = now.UpdateStartedAt != was?.UpdateStartedAt;
                if (newUpdate && now.UpdateFailed)
                {
                    throw new RolloutFailedException($"{name}: swarm {now.UpdateState}: {now.UpdateMessage}");
                }

                // A changed task spec means swarm replaces tasks: wait for that update to finish.
                var updating = now.Version != was?.Version && now.TaskSpecChanged;
                if (updating && !(newUpdate && now.UpdateState == "completed"))
                {
                    continue;
                }

                if (await RunningAsync(now, cancellationToken).ConfigureAwait(false))
                {
                    pending.Remove(name);
                    Step($"{name} converged ({now.Image})");
                }
            }

            if (pending.Count == 0)
            {
                break;
            }

            if (_time.GetUtcNow() >= deadline)
            {
                throw new RolloutFailedException($"{string.Join(", ", pending)} did not converge within {options.ConvergeTimeout.TotalSeconds:0} s");
            }

            await Task.Delay(options.PollInterval, _time, cancellationToken).ConfigureAwait(false);
        }
    }

    private async Task<bool> RunningAsync(ServiceRollout service, CancellationToken cancellationToken)
    {
        var running = (await _swarm.TasksAsync(service.Name, cancellationToken).ConfigureAwait(false)).Count(t => t.IsRunning);
        return running >= (service.IsGlobal ? 1 : service.DesiredReplicas ?? 1);
    }

    private async Task RollBackChangedAsync(IReadOnlyList<string> affected, Dictionary<string, ServiceRollout> before, SiteSample? baseline,
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

        await WaitRolledBackAsync([.. rolled, .. bySwarm], failed, bySwarm, cancellationToken).ConfigureAwait(false);
        await Gate.CheckAsync([.. rolled, .. bySwarm], baseline, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Waits until each service's rollback completed and its tasks run. <paramref name="started"/>
    /// names rollbacks already under way when <paramref name="before"/> was taken.
    /// </summary>
    private async Task WaitRolledBackAsync(IReadOnlyList<string> services, Dictionary<string, ServiceRollout> before,
        HashSet<string> started, CancellationToken cancellationToken)
    {
        var deadline = _time.GetUtcNow() + options.ConvergeTimeout;
        var pending = services.ToList();
        while (pending.Count > 0)
        {
            foreach (var name in pending.ToList())
            {
                var now = await _swarm.InspectRolloutAsync(name, cancellationToken).ConfigureAwait(false);
                if (now is null)
                {
                    continue;
                }

                if (now.UpdateState == "rollback_paused")
                {
                    throw new RolloutFailedException($"{name}: rollback paused: {now.UpdateMessage}");
                }

                var ours = started.Contains(name) || now.UpdateStartedAt != before.GetValueOrDefault(name)?.UpdateStartedAt;
                if (!(ours && now.UpdateState == "rollback_completed") && now.TaskSpecChanged)
                {
                    continue;
                }

                if (await RunningAsync(now, cancellationToken).ConfigureAwait(false))
                {
                    pending.Remove(name);
                    Step($"{name} rolled back ({now.Image})");
                }
            }

            if (pending.Count == 0)
            {
                return;
            }

            if (_time.GetUtcNow() >= deadline)
            {
                throw new RolloutFailedException($"{string.Join(", ", pending)} did not roll back within {options.ConvergeTimeout.TotalSeconds:0} s");
            }

            await Task.Delay(options.PollInterval, _time, cancellationToken).ConfigureAwait(false);
        }
    }

    private async Task SwitchCurrentAsync(string releaseId, CancellationToken cancellationToken)
    {
        if (await ReadLinkAsync(layout.Current, cancellationToken).ConfigureAwait(false) == releaseId)
        {
            return; // An image deploy on the same bundle: previous keeps naming the bundle before it.
        }

        // previous <- current, current <- the release; each link replaced by rename.
        var result = await runner.RunAsync("sh", ["-c", SwitchScript, "switch-release", layout.Root, layout.Release(releaseId)], cancellationToken: cancellationToken)
            .ConfigureAwait(false);
        if (!result.Succeeded)
        {
            throw new IOException($"switching {layout.Current} failed: {result.Error.Trim()}");
        }

        Step($"current -> {releaseId}");
    }

    private async Task SwapToPreviousAsync(CancellationToken cancellationToken)
    {
        var result = await runner.RunAsync("sh", ["-c", SwapScript, "swap-release", layout.Root], cancellationToken: cancellationToken).ConfigureAwait(false);
        if (result.Succeeded && result.Output.Trim() is { Length: > 0 } now)
        {
            Step($"current -> {Path.GetFileName(now)}");
        }
    }

    private async Task PruneAsync(CancellationToken cancellationToken)
    {
        var listing = await runner.RunAsync("ls", ["-1t", layout.Releases], cancellationToken: cancellationToken).ConfigureAwait(false);
        var current = await ReadLinkAsync(layout.Current, cancellationToken).ConfigureAwait(false);
        var previous = await ReadLinkAsync(layout.Previous, cancellationToken).ConfigureAwait(false);
        // A rollback goes back to the release before the last one the history records.
        var rollbackTargets = (await _history.ReadAsync(cancellationToken).ConfigureAwait(false)).TakeLast(2).Select(r => r.Release).ToHashSet(StringComparer.Ordinal);
        var old = listing.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Where(id => ReleaseIdPattern().IsMatch(id))
            .Skip(Math.Max(1, options.KeepReleases))
            .Where(id => id != current && id != previous && !rollbackTargets.Contains(id))
            .ToList();
        foreach (var id in old)
        {
            await runner.RunAsync("rm", ["-rf", "--", layout.Release(id)], cancellationToken: cancellationToken).ConfigureAwait(false);
        }

        if (old.Count > 0)
        {
            Step($"pruned {old.Count.ToString(CultureInfo.InvariantCulture)} old releases");
        }
    }

    /// <summary>The release id a link points at, or null.</summary>
    public async Task<string?> ReadLinkAsync(string link, CancellationToken cancellationToken)
    {
        var result = await runner.RunAsync("readlink", [link], cancellationToken: cancellationToken).ConfigureAwait(false);
        return result.Succeeded && result.Output.Trim() is { Length: > 0 } path ? Path.GetFileName(path) : null;
    }

    private string FullName(string service) => $"{layout.Stack}_{SwarmNames.RequireServiceName(service)}";

    private void Step(string message)
    {
        _steps.Add(message);
        progress?.Invoke(target, message);
    }

    private static void RequireReleaseId(string id)
    {
        if (!ReleaseIdPattern().IsMatch(id))
        {
            throw new ArgumentException($"Release id '{id}' is not 12 lower-case hex digits.", nameof(id));
        }
    }

    internal static string Describe(Exception ex) => ex switch
    {
        SwarmCommandException swarm => $"docker failed ({swarm.Result.ExitCode}): {swarm.Result.Error.Trim()}",
        _ => ex.Message,
    };

    private const string SwitchScript = """
        set -eu
        root=$1 release=$2
        cd "$root"
        if [ -L current ]; then ln -sfn "$(readlink current)" previous.tmp && mv -Tf previous.tmp previous; fi
        ln -sfn "$release" current.tmp && mv -Tf current.tmp current
        """;

    private const string SwapScript = """
        set -eu
        cd "$1"
        [ -L previous ] || exit 0
        p=$(readlink previous)
        if [ -L current ]; then ln -sfn "$(readlink current)" previous.tmp && mv -Tf previous.tmp previous; fi
        ln -sfn "$p" current.tmp && mv -Tf current.tmp current
        echo "$p"
        """;

    [GeneratedRegex("^[0-9a-f]{12}$")]
    private static partial Regex ReleaseIdPattern();

    [GeneratedRegex(@"^[A-Za-z0-9._-]+\.env$")]
    private static partial Regex EnvFileName();
}
