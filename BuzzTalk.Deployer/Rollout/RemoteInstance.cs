using BuzzTalk.Deployer.Configuration;
using BuzzTalk.Fleet.Leases;
using BuzzTalk.Fleet.Ssh;

namespace BuzzTalk.Deployer.Rollout;

/// <summary>
/// One instance as <see cref="FleetRollout"/> reaches it for one operation (its SSH session, SFTP
/// files and layout); each job on it gets its own class: deploy and rollback, inspection, the lease.
/// </summary>
public sealed class RemoteInstance(DeployTarget target, IRemoteRunner runner, IRemoteFiles files, DeployerOptions options, RemoteLayout layout,
    Action<DeployTarget, string>? progress = null, TimeProvider? time = null)
{
    public DeployTarget Target => target;

    /// <summary>Deploys to and rolls back the instance under its lease.</summary>
    public InstanceRollout Rollout() => new(target, runner, files, options, layout, progress, time);

    /// <summary>Reads what the instance runs and what a deploy would change there.</summary>
    public InstanceInspector Inspector() => new(target, runner, files, options, layout);

    /// <summary>Removes the instance's lease whoever holds it; returns what was there.</summary>
    public Task<LeaseState?> ForceReleaseLeaseAsync(CancellationToken cancellationToken) =>
        new DeployLease(runner, layout.LeaseDirectory).ForceReleaseAsync(cancellationToken);
}
