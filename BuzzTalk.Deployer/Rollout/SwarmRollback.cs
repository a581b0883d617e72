using BuzzTalk.Fleet.Swarm;

namespace BuzzTalk.Deployer.Rollout;

/// <summary>
/// Swarm's own rollback of stack services to their previous spec, awaited and put through the
/// health gate: what a failed deploy changed, and, on an instance with no earlier release
/// recorded, the fallback of <c>rollback</c>.
/// </summary>
internal sealed class SwarmRollback(SwarmClient swarm, RemoteLayout layout, ConvergenceWaiter convergence, Action<string> step)
{
    /// <summary>
    /// Rolls back the services of <paramref name="affected"/> that changed since <paramref name="before"/>,
    /// leaving those swarm already rolls back itself (the stack's <c>failure_action</c>) to it.
    /// </summary>
    public async Task ChangedAsync(IReadOnlyList<string> affected, IReadOnlyDictionary<string, ServiceRollout> before, HealthGate gate, SiteSample? baseline,
        CancellationToken cancellationToken)
    {
        // Rollbacks are told apart from the failed update by when they start.
        var failed = await convergence.SnapshotAsync(layout.Stack, cancellationToken).ConfigureAwait(false);
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
                step($"{name}: swarm is rolling back");
                bySwarm.Add(name);
                continue;
            }

            step($"docker service rollback {name}");
            await swarm.RollbackAsync(name, cancellationToken).ConfigureAwait(false);
            rolled.Add(name);
        }

        await convergence.RolledBackAsync([.. rolled, .. bySwarm], failed, bySwarm, cancellationToken).ConfigureAwait(false);
        await gate.CheckAsync([.. rolled, .. bySwarm], baseline, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Rolls the given services (default: each that has one) back to their previous spec; on
    /// success <c>current</c> and <c>previous</c> swap, as the previous release runs again.
    /// </summary>
    public async Task<(InstanceOutcome, string)> PreviousSpecsAsync(IReadOnlyList<string>? services, HealthGate gate, InstanceReleases releases,
        CancellationToken cancellationToken)
    {
        var before = await convergence.SnapshotAsync(layout.Stack, cancellationToken).ConfigureAwait(false);
        var names = services is null
            ? before.Values.Where(s => s.HasPreviousSpec).Select(s => s.Name).ToList()
            : services.Select(layout.Service).ToList();
        if (names.Count == 0)
        {
            return (InstanceOutcome.Failed, "nothing to roll back: no release recorded before the current one and no service has a previous spec");
        }

        foreach (var name in names)
        {
            step($"docker service rollback {name}");
            await swarm.RollbackAsync(name, cancellationToken).ConfigureAwait(false);
        }

        try
        {
            await convergence.RolledBackAsync(names, before, new HashSet<string>(), cancellationToken).ConfigureAwait(false);
            await gate.CheckAsync(names, baseline: null, cancellationToken).ConfigureAwait(false);
        }
        catch (RolloutFailedException failure)
        {
            return (InstanceOutcome.Failed, failure.Message);
        }

        await releases.SwapToPreviousAsync(cancellationToken).ConfigureAwait(false);
        return (InstanceOutcome.Reverted, $"rolled back {string.Join(", ", names)}");
    }
}
