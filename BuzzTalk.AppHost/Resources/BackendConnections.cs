namespace BuzzTalk.AppHost.Resources;

/// <summary>The environment the seed's backend reads, the same in both profiles.</summary>
public sealed class BackendConnections(
    StackContext stack,
    EndpointReference mysql,
    EndpointReference redis,
    EndpointReference frontend)
{
    public void Apply(EnvironmentCallbackContext context, string replica)
    {
        var env = context.EnvironmentVariables;
        var parameters = stack.Parameters;
        env["DB_ENGINE"] = "django.db.backends.mysql";
        env["MYSQL_DB_NAME"] = parameters.MySqlDatabase.Resource;
        env["MYSQL_DB_USER"] = parameters.MySqlUser.Resource;
        env["MYSQL_DB_PASSWORD"] = parameters.MySqlPassword.Resource;
        // IPv4 on purpose: the MySQL client library takes "localhost" to mean its unix socket.
        env["MYSQL_DB_HOST"] = mysql.Property(EndpointProperty.IPV4Host);
        env["MYSQL_DB_PORT"] = mysql.Property(EndpointProperty.Port);
        // A local option: a published site never runs Django's debug mode.
        env["DEBUG"] = context.ExecutionContext.IsPublishMode ? "False" : stack.Options.Debug;
        env["FRONT"] = frontend.Property(EndpointProperty.Url);
        env["REDIS_URL"] = RedisResources.Url(redis, parameters.RedisPassword.Resource);
        env[BackendResources.ReplicaVariable] = replica;
        if (stack.IsProcesses && context.ExecutionContext.IsRunMode)
        {
            // Keep the samples folder clean and logs immediate.
            env["PYTHONDONTWRITEBYTECODE"] = "1";
            env["PYTHONUNBUFFERED"] = "1";
        }
    }
}
