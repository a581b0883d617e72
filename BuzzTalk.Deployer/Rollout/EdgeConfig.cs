using BuzzTalk.Fleet.Ssh;
using BuzzTalk.Fleet.Swarm;

namespace BuzzTalk.Deployer.Rollout;

/// <summary>
/// The edge's nginx config on one instance. The edge owns the published port and is not replaced
/// on a deploy: the release's <c>nginx/nginx.conf</c> is copied beside the live config, checked
/// with <c>nginx -t</c> inside the running edge, swapped in and loaded with SIGHUP. nginx's reload
/// starts new workers and lets the old ones finish their connections, websockets included, so a
/// config change drops nothing. The replaced config is kept for a rollback.
/// </summary>
public sealed class EdgeConfig(IRemoteRunner runner, SwarmClient swarm, RemoteLayout layout, Action<string> step)
{
    private string Live => $"{layout.Edge}/{InstanceEdge.ConfigFile}";

    private string Next => $"{layout.Edge}/{InstanceEdge.NextConfigFile}";

    private string Previous => $"{layout.Edge}/{InstanceEdge.PreviousConfigFile}";

    /// <summary>
    /// Installs the release's edge config; true when it changed (and the previous one was kept).
    /// A config nginx refuses changes nothing and fails the rollout.
    /// </summary>
    public async Task<bool> InstallAsync(string releaseDirectory, CancellationToken cancellationToken)
    {
        var source = SwarmNames.RequireRemotePath($"{releaseDirectory}/{Bundle.DeployBundle.NginxPath}");
        await MustAsync("mkdir", ["-p", "--", layout.Edge], cancellationToken).ConfigureAwait(false);
        if ((await runner.RunAsync("cmp", ["-s", "--", source, Live], cancellationToken: cancellationToken).ConfigureAwait(false)).Succeeded)
        {
            step("edge config unchanged");
            return false;
        }

        await MustAsync("cp", ["--", source, Next], cancellationToken).ConfigureAwait(false);
        var edge = await EdgeContainerAsync(cancellationToken).ConfigureAwait(false);
        if (edge is not null)
        {
            var test = await swarm.ExecAsync(edge, ["nginx", "-t", "-q", "-c", $"{InstanceEdge.ContainerDirectory}/{InstanceEdge.NextConfigFile}"],
                cancellationToken).ConfigureAwait(false);
            if (!test.Succeeded)
            {
                await runner.RunAsync("rm", ["-f", "--", Next], cancellationToken: cancellationToken).ConfigureAwait(false);
                throw new RolloutFailedException($"the edge refuses the release's nginx config (nginx -t): {test.Error.Trim()}");
            }
        }

        var hadLive = (await runner.RunAsync("test", ["-f", Live], cancellationToken: cancellationToken).ConfigureAwait(false)).Succeeded;
        if (hadLive)
        {
            await MustAsync("cp", ["-p", "--", Live, Previous], cancellationToken).ConfigureAwait(false);
        }
        else
        {
            await runner.RunAsync("rm", ["-f", "--", Previous], cancellationToken: cancellationToken).ConfigureAwait(false);
        }

        await MustAsync("mv", ["-f", "--", Next, Live], cancellationToken).ConfigureAwait(false);
        await ReloadAsync(edge, "edge config installed", cancellationToken).ConfigureAwait(false);
        return true;
    }

    /// <summary>Puts back the config <see cref="InstallAsync"/> replaced, and reloads.</summary>
    public async Task RestoreAsync(CancellationToken cancellationToken)
    {
        if (!(await runner.RunAsync("test", ["-f", Previous], cancellationToken: cancellationToken).ConfigureAwait(false)).Succeeded)
        {
            return;
        }

        await MustAsync("mv", ["-f", "--", Previous, Live], cancellationToken).ConfigureAwait(false);
        await ReloadAsync(await EdgeContainerAsync(cancellationToken).ConfigureAwait(false), "edge config restored", cancellationToken).ConfigureAwait(false);
    }

    private Task<string?> EdgeContainerAsync(CancellationToken cancellationToken) =>
        swarm.RunningContainerAsync($"{layout.Stack}_{InstanceEdge.Service}", cancellationToken);

    private async Task ReloadAsync(string? edge, string what, CancellationToken cancellationToken)
    {
        if (edge is null)
        {
            // Not running yet: it reads the installed config when it starts.
            step($"{what}; no edge running to reload");
            return;
        }

        await swarm.SignalAsync(edge, "HUP", cancellationToken).ConfigureAwait(false);
        step($"{what}; edge reloaded (nginx -s reload: open connections stay on the old workers)");
    }

    private async Task MustAsync(string program, IReadOnlyList<string> arguments, CancellationToken cancellationToken)
    {
        var result = await runner.RunAsync(program, arguments, cancellationToken: cancellationToken).ConfigureAwait(false);
        if (!result.Succeeded)
        {
            throw new RolloutFailedException($"{program} {string.Join(' ', arguments)} failed on the host: {result.Error.Trim()}");
        }
    }
}
