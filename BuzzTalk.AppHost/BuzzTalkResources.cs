using BuzzTalk.AppHost.Resources;
using BuzzTalk.Publishing.SpotFleet;

namespace BuzzTalk.AppHost;

/// <summary>
/// What <see cref="BuzzTalkStackExtensions.AddBuzzTalkAsync"/> added, as builders an AppHost built
/// on BuzzTalk keeps chaining: <c>stack.Frontend.WithEnvironment(...)</c>, or every replica of
/// the backend in <see cref="Backends"/> (the first is the published swarm service).
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
    /// <summary>The backend as published: one swarm service, whose tasks are the replicas.</summary>
    public IResourceBuilder<IWorkloadResource> Backend => Backends[0];
}
