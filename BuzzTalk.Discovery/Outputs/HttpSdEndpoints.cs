using BuzzTalk.Discovery.Configuration;
using BuzzTalk.Discovery.Refresh;
using BuzzTalk.ServiceDefaults.Http;
using Microsoft.Extensions.Options;

namespace BuzzTalk.Discovery.Outputs;

/// <summary>
/// Prometheus http_sd: <c>GET /sd/targets</c> (the fleet inventory, bare IPs) and
/// <c>GET /sd/targets/{job}</c> (the same instances on the job's port). Always the whole list;
/// 200 with <c>[]</c> when there are no instances, 503 until an inventory is loaded (a refresh
/// succeeded, or the one saved before a restart was read back).
/// </summary>
public static class HttpSdEndpoints
{
    public static IEndpointRouteBuilder MapHttpSd(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapGet(DiscoveryReference.TargetsPath, (InventoryStore store) => Serve(store, port: null));
        endpoints.MapGet(DiscoveryReference.TargetsPath + "/{job}", (string job, InventoryStore store, IOptionsMonitor<DiscoveryOptions> options) =>
            options.CurrentValue.JobPorts.TryGetValue(job, out var port)
                ? Serve(store, port)
                : SizedResults.Problem($"Unknown job '{job}'. Known: {string.Join(", ", options.CurrentValue.JobPorts.Keys)}.", StatusCodes.Status404NotFound));
        return endpoints;
    }

    private static IResult Serve(InventoryStore store, int? port)
    {
        var current = store.Current;
        return current.IsLoaded
            ? new TargetGroupsResult(current.Instances, port)
            : SizedResults.Problem("The inventory has not been loaded yet.", StatusCodes.Status503ServiceUnavailable);
    }
}
