using Microsoft.Extensions.Diagnostics.HealthChecks;
using StackExchange.Redis;

namespace BuzzTalk.AppHost.Resources;

/// <summary>Healthy when Redis accepts the password and answers PING.</summary>
public sealed class RedisPingHealthCheck(EndpointReference endpoint, ParameterResource password) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        try
        {
            var options = new ConfigurationOptions
            {
                EndPoints = { { endpoint.Host, endpoint.Port } },
                Password = await password.GetValueAsync(cancellationToken).ConfigureAwait(false),
                AbortOnConnectFail = true,
                ConnectTimeout = 2000,
                ConnectRetry = 0,
            };
            await using var connection = await ConnectionMultiplexer.ConnectAsync(options).ConfigureAwait(false);
            var latency = await connection.GetDatabase().PingAsync().ConfigureAwait(false);
            return HealthCheckResult.Healthy($"PING answered in {latency.TotalMilliseconds:F1} ms");
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException or InvalidOperationException)
        {
            return HealthCheckResult.Unhealthy(ex.Message);
        }
    }
}
