
namespace BuzzTalk.Publishing.SpotFleet;

/// <summary>
/// What a resource's swarm service needs beyond what the model already says (image, environment,
/// endpoints, health path): set in the AppHost with <c>PublishAsSwarmService(s => ...)</c>.
/// </summary>
public sealed class SwarmServiceOptions
{
    /// <summary>Tasks per instance when the stack is first deployed.</summary>
    public int Replicas { get; set; } = 1;

    /// <summary>CPU and memory limits and reservations of each task.</summary>
    public ServiceLimits Limits { get; set; } = ServiceLimits.SeedFrontend;

    /// <summary>The image, for a resource that runs as a host process locally (a container's own image annotation wins).</summary>
    public ContainerImage? Image { get; set; }

    /// <summary>The port inside the image, for a resource that runs as a host process locally.</summary>
    public int? Port { get; set; }

    /// <summary>Values only the published service has (swarm templates such as <c>{{.Task.Slot}}</c>); they win over the model's.</summary>
    public IDictionary<string, string> Environment { get; } = new SortedDictionary<string, string>(StringComparer.Ordinal);

    /// <summary>Env-file variables the operator may leave out of the .env.</summary>
    public ISet<string> OptionalEnvFileKeys { get; } = new SortedSet<string>(StringComparer.Ordinal);

    public HealthProbe Probe { get; set; } = HealthProbe.Wget;

    public TimeSpan HealthStartPeriod { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// What the edge sends to the service; unset, the model says: a resource with an external HTTP
    /// endpoint (<c>WithExternalHttpEndpoints()</c>) gets its own prefix, any other none.
    /// </summary>
    public EdgeRoute? Edge { get; set; }

    /// <summary>With <see cref="EdgeRoute.Prefix"/>: the path the edge proxies, <c>/name/</c> by default.</summary>
    public string? EdgePath { get; set; }
}
