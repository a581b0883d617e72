using BuzzTalk.Deployer.Configuration;
using BuzzTalk.Deployer.Releases;
using BuzzTalk.Fleet.Leases;
using BuzzTalk.Fleet.Ssh;
using BuzzTalk.Fleet.Swarm;

namespace BuzzTalk.Deployer.Rollout;

/// <summary>
/// Reads what one instance runs and what a deploy would change there (<c>status</c>,
/// <c>plan</c>); it takes no lease and changes nothing.
/// </summary>
public sealed class InstanceInspector(DeployTarget target, IRemoteRunner runner, IRemoteFiles files, DeployerOptions options, RemoteLayout layout)
{
    private readonly SwarmClient _swarm = new(runner);
    private readonly DeployLease _lease = new(runner, layout.LeaseDirectory);
    private readonly InstanceHistory _history = new(files, layout);
    // Reads only: nothing to report as a step.
    private InstanceReleases Releases => new(runner, files, layout, _history, options.KeepReleases, _ => { });

    /// <summary>Services, lease and releases of the instance.</summary>
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

    /// <summary>What <see cref="InstanceRollout.DeployAsync"/> would change.</summary>
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
            var now = running.GetValueOrDefault(layout.Service(service));
            if (now != planned)
            {
                changes.Add(new ImageChange(layout.Service(service), now, planned));
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
}
