namespace BuzzTalk.AppHost.Resources;

/// <summary>
/// A data server run from an image (the containers profile's <c>mysql</c>): consumers reach it
/// with <c>WithReference</c>, through the connection string it builds from its own <c>tcp</c> endpoint.
/// </summary>
public sealed class ServerContainerResource(string name, Func<EndpointReference, ReferenceExpression> connectionString)
    : ContainerResource(name), IResourceWithConnectionString
{
    public const string EndpointName = ServerProcessResource.EndpointName;

    public ReferenceExpression ConnectionStringExpression => connectionString(new EndpointReference(this, EndpointName));
}
