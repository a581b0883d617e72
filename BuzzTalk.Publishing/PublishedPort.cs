namespace BuzzTalk.Publishing;

/// <summary>
/// A port a service publishes on each instance's host (swarm's host mode), from an external
/// endpoint of the model that is not HTTP: HTTP goes through the edge instead.
/// </summary>
/// <param name="Target">The port inside the service's task.</param>
/// <param name="Published">The port on the instance, opened to the world by the firewall.</param>
/// <param name="Protocol"><c>tcp</c> or <c>udp</c>.</param>
public sealed record PublishedPort(int Target, int Published, string Protocol);
