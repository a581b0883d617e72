using Microsoft.Extensions.Options;

namespace BuzzTalk.Discovery.Probes;

/// <summary>
/// <c>GET /probe/mysql/{name}</c> and <c>GET /probe/redis/{name}</c>: 200 <c>ok</c> or 503 with
/// the reason; 404 for a name that is not configured. A name is <c>Probes:{kind}:{name}</c>, else
/// the connection string <c>ConnectionStrings:{name}</c> (what the app model's <c>WithReference</c>
/// gives). Nothing is read from the query string.
/// </summary>
public static class ProbeEndpoints
{
    public static IEndpointRouteBuilder MapProbes(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapGet("/probe/mysql/{name}", (string name, IOptionsMonitor<ProbeOptions> options, IConfiguration configuration, ILoggerFactory logs, CancellationToken ct) =>
            RunAsync("mysql", name, Target(options.CurrentValue.MySql, name, configuration, ConnectionStringTargets.MySql),
                (target, timeout) => DatabaseProbes.MySqlAsync(target, timeout, ct), options, logs));
        endpoints.MapGet("/probe/redis/{name}", (string name, IOptionsMonitor<ProbeOptions> options, IConfiguration configuration, ILoggerFactory logs, CancellationToken ct) =>
            RunAsync("redis", name, Target(options.CurrentValue.Redis, name, configuration, ConnectionStringTargets.Redis),
                (target, timeout) => DatabaseProbes.RedisAsync(target, timeout, ct), options, logs));
        return endpoints;
    }

    /// <summary>The configured target, else one from the connection string of that name; null when neither exists.</summary>
    private static (ProbeTarget? Target, string? Error)? Target(Dictionary<string, ProbeTarget> targets, string name, IConfiguration configuration,
        Func<string, (ProbeTarget?, string?)> fromConnectionString)
    {
        if (targets.TryGetValue(name, out var target))
        {
            return (target, null);
        }

        return configuration.GetSection(ConnectionStringTargets.Section)[name] is { Length: > 0 } connectionString
            ? fromConnectionString(connectionString)
            : null;
    }

    private static async Task<IResult> RunAsync(
        string kind,
        string name,
        (ProbeTarget? Target, string? Error)? found,
        Func<ProbeTarget, TimeSpan, Task<ProbeResult>> probe,
        IOptionsMonitor<ProbeOptions> options,
        ILoggerFactory logs)
    {
        if (found is not { } lookup)
        {
            return Results.Text($"unknown {kind} probe\n", "text/plain", statusCode: StatusCodes.Status404NotFound);
        }

        var result = lookup.Target is { } target
            ? await probe(target, options.CurrentValue.Timeout).ConfigureAwait(false)
            : ProbeResult.Down(lookup.Error!);
        if (!result.Up)
        {
            DiscoveryLog.ProbeFailed(logs.CreateLogger(typeof(ProbeEndpoints).FullName!), kind, name, result.Reason);
        }

        return Results.Text(result.Reason + "\n", "text/plain",
            statusCode: result.Up ? StatusCodes.Status200OK : StatusCodes.Status503ServiceUnavailable);
    }
}
