using Microsoft.Extensions.Diagnostics.HealthChecks;
using MySqlConnector;

namespace BuzzTalk.AppHost.Resources;

/// <summary>Healthy when the application user can log in to its database and run <c>SELECT 1</c>.</summary>
public sealed class MySqlSelectHealthCheck(
    EndpointReference endpoint,
    ParameterResource database,
    ParameterResource user,
    ParameterResource password) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var connectionString = new MySqlConnectionStringBuilder
        {
            Server = endpoint.Host,
            Port = (uint)endpoint.Port,
            Database = await database.GetValueAsync(cancellationToken).ConfigureAwait(false),
            UserID = await user.GetValueAsync(cancellationToken).ConfigureAwait(false),
            Password = await password.GetValueAsync(cancellationToken).ConfigureAwait(false),
            ConnectionTimeout = 3,
            Pooling = false,
        }.ConnectionString;

        try
        {
            await using var connection = new MySqlConnection(connectionString);
            await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
            await using var command = new MySqlCommand("SELECT 1", connection);
            await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false);
            return HealthCheckResult.Healthy();
        }
        catch (MySqlException ex)
        {
            return HealthCheckResult.Unhealthy(ex.Message);
        }
    }
}
