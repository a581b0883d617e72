using BuzzTalk.Deployer.Configuration;
using BuzzTalk.Fleet.Swarm;

namespace BuzzTalk.Deployer.Rollout;

/// <summary>The paths and names of one instance, with <c>{instance}</c> replaced and every value checked.</summary>
public sealed record RemoteLayout(string Stack, string Root, string EnvDirectory, string LeaseDirectory, string RunDirectory)
{
    public string Releases => $"{Root}/releases";

    public string Current => $"{Root}/current";

    public string Previous => $"{Root}/previous";

    /// <summary>The desired-release record this instance runs, written after each success (by the Deployer or the instance script).</summary>
    public string RunningRecord => $"{Root}/running.json";

    /// <summary>The releases this instance ran, written by the Deployer after each success (<see cref="Releases.InstanceHistory"/>).</summary>
    public string History => $"{Root}/history.json";

    /// <summary>The edge's live nginx config and the one it replaced (<see cref="EdgeConfig"/>), mounted into the edge.</summary>
    public string Edge => $"{Root}/edge";

    public string Release(string releaseId) => $"{Releases}/{releaseId}";

    public string StackFile(string releaseId) => $"{Release(releaseId)}/{ReleaseContent.StackPath}";

    /// <summary>Swarm's name of a stack service (<c>&lt;stack&gt;_&lt;service&gt;</c>); the service name is checked, as it reaches <c>docker</c>.</summary>
    public string Service(string service) => $"{Stack}_{SwarmNames.RequireServiceName(service)}";

    public static RemoteLayout For(DeployerOptions options, DeployTarget target, string bundleStack)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(target);
        string Expand(string value) => value.Replace("{instance}", target.Name, StringComparison.Ordinal);
        return new RemoteLayout(
            SwarmNames.RequireStackName(Expand(options.Stack.Length > 0 ? options.Stack : bundleStack)),
            SwarmNames.RequireRemotePath(Expand(options.RemoteRoot).TrimEnd('/')),
            SwarmNames.RequireRemotePath(Expand(options.EnvDirectory).TrimEnd('/')),
            SwarmNames.RequireRemotePath(Expand(options.LeaseDirectory).TrimEnd('/')),
            SwarmNames.RequireRemotePath(Expand(options.RunDirectory).TrimEnd('/')));
    }
}
