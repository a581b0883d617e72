namespace BuzzTalk.Publishing.Nginx;

/// <summary>
/// What nginx in front of BuzzTalk needs to know: where it listens, where the SPA is, which
/// backends serve <c>/backend/</c> and <c>/ws/</c>. Local profiles and the published bundle
/// describe their nginx with this one model.
/// </summary>
public sealed record NginxSite
{
    /// <summary>A <c>listen</c> value: <c>80</c> or <c>127.0.0.1:8080</c>.</summary>
    public required string Listen { get; init; }

    /// <summary>Directory holding the built SPA (<c>index.html</c>); null when <see cref="Frontend"/> serves it.</summary>
    public string? SpaRoot { get; init; }

    /// <summary>
    /// The static servers of the SPA (<c>host:port</c>, found through <see cref="Resolver"/>) when
    /// this nginx is an instance's edge: it proxies <c>/</c> to them instead of serving files, so
    /// the SPA rolls start-first behind a listener that stays.
    /// </summary>
    public string? Frontend { get; init; }

    /// <summary>Backend <c>host:port</c> entries; nginx balances across them.</summary>
    public required IReadOnlyList<string> Backends { get; init; }

    /// <summary>Further services, each under its own path prefix (published stack: found through <see cref="Resolver"/>).</summary>
    public IReadOnlyList<NginxRoute> Routes { get; init; } = [];

    /// <summary>
    /// Where nginx keeps its pid file and temp files. Null keeps the distribution's defaults
    /// (inside an image); the processes profile points it into the state directory.
    /// </summary>
    public string? RuntimeDirectory { get; init; }

    /// <summary>Largest request body nginx accepts before answering 413.</summary>
    public string ClientMaxBodySize { get; init; } = "64k";

    public string MimeTypesPath { get; init; } = "/etc/nginx/mime.types";

    /// <summary>
    /// DNS server (swarm's embedded <c>127.0.0.11</c>) that resolves the backend on every request.
    /// Without it nginx resolves once at start, and replicas the Scaler adds later never receive
    /// traffic. Needs exactly one backend: the service name.
    /// </summary>
    public string? Resolver { get; init; }

    /// <summary>
    /// While this file exists, <see cref="DrainedHealthPath"/> answers 503 and everything else is
    /// served as usual: an instance that is leaving (preemption notice) fails its load balancer
    /// check first, so new connections go elsewhere before its backends stop.
    /// </summary>
    public string? DrainFile { get; init; }

    /// <summary>
    /// The backend's health path under <c>/backend/</c> (<see cref="PublishSettings.BackendHealthPath"/>):
    /// proxied to a backend, or 503 while <see cref="DrainFile"/> exists. Required with a drain file.
    /// </summary>
    public string? DrainedHealthPath { get; init; }
}
