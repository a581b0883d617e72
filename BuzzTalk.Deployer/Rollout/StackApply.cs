using BuzzTalk.Fleet.Ssh;
using BuzzTalk.Fleet.Swarm;

namespace BuzzTalk.Deployer.Rollout;

/// <summary>
/// Puts a release on an instance's swarm: the whole stack (its edge config first, then its start
/// waves, then the stack file) or, for named services, their new images. It does not wait for the
/// change to converge; a caller that rolls back restores the edge when <see cref="EdgeChanged"/>.
/// </summary>
internal sealed class StackApply(IRemoteRunner runner, SwarmClient swarm, RemoteLayout layout, EdgeConfig edge, StartWaves waves, Action<string> step)
{
    /// <summary>Whether the release replaced the edge's config: a rollback puts the old one back.</summary>
    public bool EdgeChanged { get; private set; }

    /// <summary>
    /// Deploys the release (the whole stack, after its start waves) or updates the named services'
    /// images; returns the services it changes, and the failure of a start wave, which the caller
    /// handles as a failed convergence (the whole stack is then not deployed).
    /// </summary>
    public async Task<(IReadOnlyList<string> Affected, RolloutFailedException? WaveFailure)> ApplyAsync(ReleaseContent release, RolloutRequest request,
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
            EdgeChanged = await edge.InstallAsync(layout.Release(release.ReleaseId), cancellationToken).ConfigureAwait(false);
            IReadOnlyList<string> all = [.. release.ServiceImages.Keys.Select(layout.Service)];
            try
            {
                await waves.DeployAsync(release, environment, before, cancellationToken).ConfigureAwait(false);
            }
            catch (RolloutFailedException failure)
            {
                return (all, failure);
            }
            catch when (EdgeChanged)
            {
                await edge.RestoreAsync(CancellationToken.None).ConfigureAwait(false);
                throw;
            }

            step($"docker stack deploy {layout.Stack} ({release.ReleaseId})");
            try
            {
                await swarm.StackDeployAsync(layout.StackFile(release.ReleaseId), layout.Stack, environment, cancellationToken).ConfigureAwait(false);
            }
            catch when (EdgeChanged)
            {
                // The stack kept its old release: so does the edge.
                await edge.RestoreAsync(CancellationToken.None).ConfigureAwait(false);
                throw;
            }
            return (all, null);
        }

        var names = new List<string>();
        foreach (var service in request.Services)
        {
            var image = release.ImageWithTag(service, request.ImageTag ?? "latest");
            step($"docker service update --image {image} {layout.Service(service)}");
            await swarm.UpdateImageAsync(layout.Service(service), image, cancellationToken).ConfigureAwait(false);
            names.Add(layout.Service(service));
        }

        return (names, null);
    }
}
