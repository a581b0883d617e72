using BuzzTalk.AppHost.Resources;
using BuzzTalk.Publishing.SpotFleet;

namespace BuzzTalk.AppHost;

/// <summary>
/// What <see cref="BuzzTalkStackExtensions.AddBuzzTalkAsync"/> added, as builders an AppHost built
/// on BuzzTalk keeps chaining: <c>stack.Frontend.WithEnvironment(...)</c>; the backend's
/// environment through <see cref="WithBackends"/>, which reaches every local replica.
/// </summary>
public sealed record BuzzTalkResources(
    StackContext Context,
    IResourceBuilder<SpotFleetResource> Fleet,
    IResourceBuilder<IResourceWithEndpoints> MySql,
    IResourceBuilder<IResourceWithEndpoints> Redis,
    IReadOnlyList<IResourceBuilder<IWorkloadResource>> Backends,
    IResourceBuilder<IWorkloadResource> Frontend,
    ControlServices Services)
{
    /// <summary>
    /// The backend as published: one swarm service, whose tasks are the replicas. For what only
    /// the service has (<c>WaitFor</c> it, its endpoint, <c>WithSwarmReplicas</c>); what every
    /// replica reads goes through <see cref="WithBackends"/>.
    /// </summary>
    public IResourceBuilder<IWorkloadResource> Backend => Backends[0];

    /// <summary>
    /// Applies <paramref name="configure"/> to every backend replica, so a run's replicas all read
    /// what the published service does (which is the first replica: the stack gets it once).
    /// </summary>
    public BuzzTalkResources WithBackends(Action<IResourceBuilder<IWorkloadResource>> configure)
    {
        ArgumentNullException.ThrowIfNull(configure);
        foreach (var backend in Backends)
        {
            configure(backend);
        }

        return this;
    }
}
