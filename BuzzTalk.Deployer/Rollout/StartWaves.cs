using BuzzTalk.Fleet.Swarm;

namespace BuzzTalk.Deployer.Rollout;

/// <summary>
/// Swarm starts a stack's services all at once: services that wait for others in the model
/// are started in waves, each wave's file (the services up to it) deployed without pruning,
/// so the later services are left as they are, until the wave's services run their tasks: new
/// ones once started, changed ones once their update completed (swarm keeps a task whose health
/// check has not passed in <c>starting</c>, so running tasks are healthy ones).
/// </summary>
internal sealed class StartWaves(SwarmClient swarm, RemoteLayout layout, ConvergenceWaiter convergence, Action<string> step)
{
    /// <summary>Deploys the release's waves in order, each awaited; a wave that does not come up throws <see cref="RolloutFailedException"/>.</summary>
    public async Task DeployAsync(ReleaseContent release, IReadOnlyDictionary<string, string> environment,
        IReadOnlyDictionary<string, ServiceRollout> before, CancellationToken cancellationToken)
    {
        for (var i = 0; i < release.StartOrder.Count; i++)
        {
            var wave = release.StartOrder[i];
            step($"start wave {i + 1}: {string.Join(", ", wave.Services)}");
            await swarm.StackDeployAsync($"{layout.Release(release.ReleaseId)}/{wave.File}", layout.Stack, environment, cancellationToken).ConfigureAwait(false);
            await convergence.UpdatedAsync([.. wave.Services.Select(layout.Service)], before, cancellationToken).ConfigureAwait(false);
        }
    }
}
