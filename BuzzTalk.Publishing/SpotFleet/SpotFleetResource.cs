namespace BuzzTalk.Publishing.SpotFleet;

/// <summary>
/// The spot group of GCP instances, each running the same swarm stack: the compute environment
/// the app's services are published to. Its publisher (<see cref="SwarmServiceDescriber"/>) walks
/// the resources marked with <see cref="SpotFleetExtensions.PublishAsSwarmService{T}"/>.
/// </summary>
public sealed class SpotFleetResource(string name) : Resource(name), IComputeEnvironmentResource
{
    /// <summary>Services of one instance's stack find each other by service name through swarm's DNS.</summary>
    public ReferenceExpression GetHostAddressExpression(EndpointReference endpointReference)
    {
        ArgumentNullException.ThrowIfNull(endpointReference);
        return ReferenceExpression.Create($"{endpointReference.Resource.Name}");
    }
}
