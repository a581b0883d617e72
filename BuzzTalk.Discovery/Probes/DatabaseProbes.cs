using MySqlConnector;
using StackExchange.Redis;

namespace BuzzTalk.Discovery.Probes;

/// <summary>Connects and runs the most trivial query each server has, within a deadline.</summary>
public static class DatabaseProbes
{
    public static async Task<ProbeResult> MySqlAsync(ProbeTarget target, TimeSpan timeout, CancellationToken cancellationToken)
    {
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        cts.CancelAfter(timeout);
        MySqlConnectionStringBuilder builder;
        try
        {
            builder = new MySqlConnectionStringBuilder(target.Address);
        }
        catch (ArgumentException ex)
        {
            return ProbeResult.Down($"invalid connection string: {ex.Message}");
        }

        if (target.Password is not null)
        {
            builder.Password = target.Password;
        }

        builder.ConnectionTimeout = (uint)Math.Max(1, Math.Ceiling(timeout.TotalSeconds));
        // A probe proves a fresh login works; a pooled connection would hide a broken one.
        builder.Pooling = false;
        try
        {
            await using var connection = new MySqlConnection(builder.ConnectionString);
            await connection.OpenAsync(cts.Token).ConfigureAwait(false);
            await using var command = new MySqlCommand("SELECT 1", connection);
            await command.ExecuteScalarAsync(cts.Token).ConfigureAwait(false);
            return ProbeResult.Ok;
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return ProbeResult.Down($"timed out after {timeout.TotalSeconds:0.#} s");
        }
        catch (MySqlException ex)
        {
            return ProbeResult.Down(ex.Message);
        }
    }

    public static async Task<ProbeResult> RedisAsync(ProbeTarget target, TimeSpan timeout, CancellationToken cancellationToken)
    {
        ConfigurationOptions options;
        try
        {
            options = ConfigurationOptions.Parse(target.Address);
        }
        catch (ArgumentException ex)
        {
            return ProbeResult.Down($"invalid configuration: {ex.Message}");
        }

        if (target.Password is not null)
        {
            options.Password = target.Password;
        }

        options.AbortOnConnectFail = true;
        options.ConnectRetry = 0;
        options.ConnectTimeout = (int)timeout.TotalMilliseconds;
        options.SyncTimeout = (int)timeout.TotalMilliseconds;
        options.AsyncTimeout = (int)timeout.TotalMilliseconds;
        try
        {
            var connect = ConnectionMultiplexer.ConnectAsync(options);
            await using var connection = await connect.WaitAsync(timeout, cancellationToken).ConfigureAwait(false);
            await connection.GetDatabase().PingAsync().WaitAsync(timeout, cancellationToken).ConfigureAwait(false);
            return ProbeResult.Ok;
        }
        catch (TimeoutException)
        {
            return ProbeResult.Down($"timed out after {timeout.TotalSeconds:0.#} s");
        }
        catch (RedisException ex)
        {
            // The multiplexer's messages list the endpoint and state, never the password.
            return ProbeResult.Down(FirstLine(ex.Message));
        }
    }

    private static string FirstLine(string message)
    {
        var end = message.IndexOfAny(['\r', '\n']);
        return end < 0 ? message : message[..end];
    }
}
