using BuzzTalk.Deployer.Configuration;
using BuzzTalk.Fleet.Swarm;

namespace BuzzTalk.Deployer.Rollout;

/// <summary>
/// Waits until swarm has finished changing services (an update or a rollback) and each runs its
/// tasks, within <see cref="DeployerOptions.ConvergeTimeout"/>; a failed update or a paused
/// rollback ends the wait at once. Updates and rollbacks are told apart from earlier ones by when
/// they started, against a snapshot taken before.
/// </summary>
internal sealed class ConvergenceWaiter(SwarmClient swarm, DeployerOptions options, TimeProvider time, Action<string> step)
{
    /// <summary>Each service's rollout state, inspected one by one (the list does not carry the task-spec comparison).</summary>
    public async Task<Dictionary<string, ServiceRollout>> SnapshotAsync(string stack, CancellationToken cancellationToken)
    {
        var snapshot = new Dictionary<string, ServiceRollout>(StringComparer.Ordinal);
        foreach (var service in await swarm.StackServicesAsync(stack, cancellationToken).ConfigureAwait(false))
        {
            if (await swarm.InspectRolloutAsync(service.Name, cancellationToken).ConfigureAwait(false) is { } inspected)
            {
                snapshot[service.Name] = inspected;
            }
        }

        return snapshot;
    }

    /// <summary>Until the services' update (started after <paramref name="before"/>) completed and their tasks run.</summary>
    public Task UpdatedAsync(IReadOnlyList<string> services, IReadOnlyDictionary<string, ServiceRollout> before, CancellationToken cancellationToken)
    {
        step($"wait for {string.Join(", ", services)}");
        return WaitAsync(services, "converged", "converge", (name, now) =>
        {
            var was = before.GetValueOrDefault(name);
            var newUpdate = now.UpdateStartedAt != was?.UpdateStartedAt;
            if (newUpdate && now.UpdateFailed)
            {
                throw new RolloutFailedException($"{name}: swarm {now.UpdateState}: {now.UpdateMessage}");
            }

            // A changed task spec means swarm replaces tasks: wait for that update to finish.
            var updating = now.Version != was?.Version && now.TaskSpecChanged;
            return !updating || (newUpdate && now.UpdateState == "completed");
        }, cancellationToken);
    }

    /// <summary>
    /// Until each service's rollback completed and its tasks run. <paramref name="started"/> names
    /// rollbacks already under way when <paramref name="before"/> was taken.
    /// </summary>
    public Task RolledBackAsync(IReadOnlyList<string> services, IReadOnlyDictionary<string, ServiceRollout> before, IReadOnlySet<string> started,
        CancellationToken cancellationToken) =>
        WaitAsync(services, "rolled back", "roll back", (name, now) =>
        {
            if (now.UpdateState == "rollback_paused")
            {
                throw new RolloutFailedException($"{name}: rollback paused: {now.UpdateMessage}");
            }

            var ours = started.Contains(name) || now.UpdateStartedAt != before.GetValueOrDefault(name)?.UpdateStartedAt;
            return (ours && now.UpdateState == "rollback_completed") || !now.TaskSpecChanged;
        }, cancellationToken);

    /// <summary>Polls each pending service until <paramref name="settled"/> (which throws on a failure) and its tasks run.</summary>
    private async Task WaitAsync(IReadOnlyList<string> services, string done, string verb, Func<string, ServiceRollout, bool> settled,
        CancellationToken cancellationToken)
    {
        var deadline = time.GetUtcNow() + options.ConvergeTimeout;
        var pending = services.ToList();
        while (pending.Count > 0)
        {
            foreach (var name in pending.ToList())
            {
                if (await swarm.InspectRolloutAsync(name, cancellationToken).ConfigureAwait(false) is not { } now
                    || !settled(name, now)
                    || !await RunningAsync(now, cancellationToken).ConfigureAwait(false))
                {
                    continue;
                }

                pending.Remove(name);
                step($"{name} {done} ({now.Image})");
            }

            if (pending.Count == 0)
            {
                return;
            }

            if (time.GetUtcNow() >= deadline)
            {
                throw new RolloutFailedException($"{string.Join(", ", pending)} did not {verb} within {options.ConvergeTimeout.TotalSeconds:0} s");
            }

            await Task.Delay(options.PollInterval, time, cancellationToken).ConfigureAwait(false);
        }
    }

    private async Task<bool> RunningAsync(ServiceRollout service, CancellationToken cancellationToken)
    {
        var running = (await swarm.TasksAsync(service.Name, cancellationToken).ConfigureAwait(false)).Count(t => t.IsRunning);
        return running >= (service.IsGlobal ? 1 : service.DesiredReplicas ?? 1);
    }
}
