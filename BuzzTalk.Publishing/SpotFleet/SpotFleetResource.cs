namespace BuzzTalk.Publishing.SpotFleet;

/// <summary>
/// The spot group of GCP instances, each running the same swarm stack: the compute environment
/// the app's services are published to. It carries its own pipeline steps (the bundle on
/// <c>publish</c>, the rollout on <c>deploy</c>), so a model without it publishes no bundle; its
/// publisher (<see cref="SwarmServiceDescriber"/>) walks the resources marked with
/// <see cref="SpotFleetExtensions.PublishAsSwarmService{T}"/> whose compute environment it is.
/// </summary>
public sealed class SpotFleetResource(string name,
    Func<SpotFleetResource, IEnumerable<IResource>, CancellationToken, Task<PublishSettings>> settings) : Resource(name), IComputeEnvironmentResource
{
    /// <summary>Reads the publish inputs when the bundle step runs: this fleet's services from the model, and the fleet's own settings.</summary>
    public Func<SpotFleetResource, IEnumerable<IResource>, CancellationToken, Task<PublishSettings>> Settings { get; } =
        settings ?? throw new ArgumentNullException(nameof(settings));

    /// <summary><c>aspire deploy</c>'s rollout options (<see cref="SpotFleetExtensions.WithDeploy"/>).</summary>
    public FleetDeployOptions Deploy { get; internal set; } = new();

    /// <summary>The running local fleet's Deployer settings, used when <see cref="FleetDeployOptions.Config"/> is unset.</summary>
    public string? LocalDeployerSettings { get; internal set; }

    /// <summary>Services of one instance's stack find each other by service name through swarm's DNS.</summary>
    public ReferenceExpression GetHostAddressExpression(EndpointReference endpointReference)
    {
        ArgumentNullException.ThrowIfNull(endpointReference);
        return ReferenceExpression.Create($"{endpointReference.Resource.Name}");
    }

    /// <summary>
    /// Whether <paramref name="resource"/> is published to this fleet, by Aspire's rule: its
    /// <c>WithComputeEnvironment</c> names this fleet, or it names none and this fleet is the
    /// model's only compute environment. A resource that names none in a model of several is
    /// refused rather than guessed.
    /// </summary>
    public bool Hosts(IResource resource, IEnumerable<IResource> model)
    {
        ArgumentNullException.ThrowIfNull(resource);
        ArgumentNullException.ThrowIfNull(model);
        if (resource.GetComputeEnvironment() is { } environment)
        {
            return environment == this;
        }

        var others = model.OfType<IComputeEnvironmentResource>().Where(e => e != this).Select(e => e.Name).ToList();
        return others.Count == 0
            ? true
            : throw new InvalidOperationException($"Resource '{resource.Name}' could be published to the spot fleet '{Name}' or to " +
                $"{string.Join(", ", others.Select(o => $"'{o}'"))}: name one with WithComputeEnvironment.");
    }
}
