namespace BuzzTalk.AppHost.Resources;

/// <summary>
/// A data server run as a host process (the processes profile's <c>mysql</c> and <c>redis</c>):
/// an executable that consumers reach with <c>WithReference</c>, through the connection string
/// it builds from its own <c>tcp</c> endpoint.
/// </summary>
public sealed class ServerProcessResource(string name, string command, string workingDirectory,
    Func<EndpointReference, ReferenceExpression> connectionString)
    : ExecutableResource(name, command, workingDirectory), IResourceWithConnectionString
{
    public const string EndpointName = "tcp";

    public ReferenceExpression ConnectionStringExpression => connectionString(new EndpointReference(this, EndpointName));
}
