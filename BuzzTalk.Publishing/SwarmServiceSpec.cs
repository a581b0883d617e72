
namespace BuzzTalk.Publishing;

/// <summary>
/// One app service of the published stack, as the spot fleet's publisher read it from the app
/// model: image, environment, port, health check, replicas and limits of one resource.
/// </summary>
public sealed record SwarmServiceSpec
{
    /// <summary>The resource's name, which is also the service's name and its swarm DNS name.</summary>
    public required string Name { get; init; }

    public required ContainerImage Image { get; init; }

    /// <summary>The container's entrypoint from the model, when it replaces the image's.</summary>
    public string? Entrypoint { get; init; }

    /// <summary>The container's arguments from the model (the stack's <c>command</c>); null keeps the image's.</summary>
    public IReadOnlyList<string>? Command { get; init; }

    /// <summary>The port the edge and the other services reach it on inside its tasks.</summary>
    public required int Port { get; init; }

    /// <summary>
    /// Ports published on each instance's host, from the model's external non-HTTP endpoints
    /// (<c>WithEndpoint(port: ..., scheme: "tcp", isExternal: true)</c>); HTTP is routed by the edge.
    /// </summary>
    public IReadOnlyList<PublishedPort> PublishedPorts { get; init; } = [];

    /// <summary>Values known when publishing, written into the stack file.</summary>
    public IReadOnlyList<KeyValuePair<string, string>> Environment { get; init; } = [];

    /// <summary>
    /// Variables whose values exist only where the service runs (secrets, parameters, the database
    /// and Redis the instance reaches): the Deployer writes them into <c>&lt;service&gt;.env</c> from the operator's .env.
    /// </summary>
    public IReadOnlyList<string> EnvFileKeys { get; init; } = [];

    /// <summary>Env-file variables the service can do without.</summary>
    public IReadOnlyList<string> OptionalEnvFileKeys { get; init; } = [];

    /// <summary>HTTP path the container health check asks for; null for no health check.</summary>
    public string? HealthPath { get; init; }

    public HealthProbe Probe { get; init; } = HealthProbe.Wget;

    /// <summary>How long a starting task's failed health checks do not count.</summary>
    public TimeSpan HealthStartPeriod { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>Tasks per instance when the stack is first deployed (the Scaler may change it later).</summary>
    public int Replicas { get; init; } = 1;

    public ServiceLimits Limits { get; init; } = ServiceLimits.SeedFrontend;

    /// <summary>What the instance's edge sends to this service.</summary>
    public EdgeRoute Edge { get; init; } = EdgeRoute.None;

    /// <summary>The path prefix the edge proxies to this service (prefix stripped), for <see cref="EdgeRoute.Prefix"/>.</summary>
    public string? EdgePath { get; init; }

    /// <summary>
    /// Other fleet services this one waits for (the model's <c>WaitFor</c>), sorted: swarm has no
    /// start order, so the stack is started in waves (<c>x-buzztalk: start-order</c>).
    /// </summary>
    public IReadOnlyList<string> WaitFor { get; init; } = [];

    /// <summary>Variable that overrides the image tag at deploy time: <c>BACKEND_IMAGE_TAG</c> for <c>backend</c>.</summary>
    public string TagVariable => TagVariableOf(Name);

    public static string TagVariableOf(string service) =>
        service.ToUpperInvariant().Replace('-', '_') + "_IMAGE_TAG";

    /// <summary>The env file a service with <see cref="EnvFileKeys"/> reads: <c>backend.env</c>.</summary>
    public string EnvFileName => Name + ".env";
}
