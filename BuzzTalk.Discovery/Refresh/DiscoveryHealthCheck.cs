using BuzzTalk.Discovery.Configuration;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;

namespace BuzzTalk.Discovery.Refresh;

/// <summary>
/// Readiness (<c>/health</c>; <c>/alive</c> does not include it): unhealthy while there is nothing to serve (no
/// refresh has succeeded yet and no saved inventory was restored) and after
/// <see cref="DiscoveryOptions.UnhealthyAfterFailures"/> failed refreshes in a row; degraded (still ready) while
/// serving an inventory restored from before a restart.
/// </summary>
public sealed class DiscoveryHealthCheck(InventoryStore store, IOptionsMonitor<DiscoveryOptions> options) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var current = store.Current;
        var limit = options.CurrentValue.UnhealthyAfterFailures;
        var data = new Dictionary<string, object>
        {
            ["instances"] = current.Instances.Count,
            ["consecutiveFailures"] = current.ConsecutiveFailures,
            ["restored"] = current.Restored,
        };
        var result =
            !current.IsLoaded ? HealthCheckResult.Unhealthy(
                current.LastError is null ? "No inventory yet: the first refresh has not finished."
                : $"No inventory yet: {current.ConsecutiveFailures} refreshes failed; last error: {current.LastError}", data: data)
            : current.ConsecutiveFailures >= limit ? HealthCheckResult.Unhealthy(
                $"{current.ConsecutiveFailures} refreshes failed in a row; last error: {current.LastError}", data: data)
            : current.Restored ? HealthCheckResult.Degraded(
                $"Serving {current.Instances.Count} instances saved at {current.LastSuccess:O}; no refresh has succeeded since start.", data: data)
            : HealthCheckResult.Healthy($"{current.Instances.Count} instances", data);
        return Task.FromResult(result);
    }
}
