using Microsoft.Extensions.Options;

namespace BuzzTalk.Discovery.Probes;

/// <summary>
/// <c>GET /probe/mysql/{name}</c> and <c>GET /probe/redis/{name}</c>: 200 <c>ok</c> or 503 with
/// the reason; 404 for a name that is not configured. Nothing is read from the query string.
/// </summary>
public static class ProbeEndpoints
{
    public static IEndpointRouteBuilder MapProbes(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapGet("/probe/mysql/{name}", (string name, IOptionsMonitor<ProbeOptions> options, ILoggerFactory logs, CancellationToken ct) =>
            RunAsync("mysql", name, options.CurrentValue.MySql, (target, timeout) => DatabaseProbes.MySqlAsync(target, timeout, ct), options, logs));
        endpoints.MapGet("/probe/redis/{name}", (string name, IOptionsMonitor<ProbeOptions> options, ILoggerFactory logs, CancellationToken ct) =>
            RunAsync("redis", name, options.CurrentValue.Redis, (target, timeout) => DatabaseProbes.RedisAsync(target, timeout, ct), options, logs));
        return endpoints;
    }

    private static async Task<IResult> RunAsync(
        string kind,
        string name,
        Dictionary<string, ProbeTarget> targets,
        Func<ProbeTarget, TimeSpan, Task<ProbeResult>> probe,
        IOptionsMonitor<ProbeOptions> options,
        ILoggerFactory logs)
    {
        if (!targets.TryGetValue(name, out var target))
        {
            return Results.Text($"unknown {kind} probe\n", "text/plain", statusCode: StatusCodes.Status404NotFound);
        }

        var result = await probe(target, options.CurrentValue.Timeout).ConfigureAwait(false);
        if (!result.Up)
        {
            DiscoveryLog.ProbeFailed(logs.CreateLogger(typeof(ProbeEndpoints).FullName!), kind, name, result.Reason);
        }

        return Results.Text(result.Reason + "\n", "text/plain",
            statusCode: result.Up ? StatusCodes.Status200OK : StatusCodes.Status503ServiceUnavailable);
    }
}
