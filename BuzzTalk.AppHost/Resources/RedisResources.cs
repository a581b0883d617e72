using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace BuzzTalk.AppHost.Resources;

/// <summary>The <c>redis</c> resource: the channel layer behind the backends' websockets.</summary>
public static class RedisResources
{
    public const string Name = "redis";
    public const string EndpointName = "tcp";
    public const int ContainerPort = 6379;

    /// <summary>The seed's settings: 500 MB LRU cache with its RDB snapshot schedule.</summary>
    public static IReadOnlyList<string> Settings { get; } =
    [
        "--maxmemory", "500mb",
        "--maxmemory-policy", "allkeys-lru",
        "--save", "43200 1 7800 100 3600 10000",
        "--protected-mode", "yes",
    ];

    public static IResourceBuilder<IResourceWithEndpoints> AddBuzzTalkRedis(this StackContext stack)
    {
        var redis = stack.IsProcesses ? AddProcess(stack) : AddContainer(stack);
        var endpoint = redis.GetEndpoint(EndpointName);
        var password = stack.Parameters.RedisPassword.Resource;

        var healthKey = $"{Name}-ping";
        stack.Builder.Services.AddHealthChecks().Add(new HealthCheckRegistration(
            healthKey,
            _ => new RedisPingHealthCheck(endpoint, password),
            failureStatus: null,
            tags: null));
        return redis.WithHealthCheck(healthKey);
    }

    /// <summary><c>redis://</c> URL the backends read as <c>REDIS_URL</c>.</summary>
    public static ReferenceExpression Url(EndpointReference endpoint, ParameterResource password) =>
        ReferenceExpression.Create(
            $"redis://:{password:uri}@{endpoint.Property(EndpointProperty.IPV4Host)}:{endpoint.Property(EndpointProperty.Port)}/0");

    private static IResourceBuilder<IResourceWithEndpoints> AddProcess(StackContext stack)
    {
        var dir = stack.State.Directory("redis");
        var config = Path.Combine(dir, "redis.conf");
        var redis = stack.Builder.AddExecutable(Name, stack.HostTools.RedisServer, dir)
            .WithEndpoint(name: EndpointName, scheme: "tcp", targetPort: stack.LocalFleet?.RedisPort);
        var endpoint = redis.GetEndpoint(EndpointName);

        // The password goes in a private config file, not argv, where `ps` would show it.
        redis.OnBeforeResourceStarted(async (_, _, ct) =>
        {
            var password = await stack.Parameters.RedisPassword.Resource.GetValueAsync(ct).ConfigureAwait(false)
                ?? throw new InvalidOperationException("Parameter redis-password has no value.");
            StateDirectory.WritePrivateFile(config, $"requirepass {Quote(password)}\n");
        });

        return redis
            .WithArgs([config, "--bind", .. stack.ListenAddresses, "--dir", dir])
            .WithArgs("--daemonize", "no", "--port")
            .WithArgs(endpoint.Property(EndpointProperty.TargetPort))
            .WithArgs([.. Settings]);
    }

    private static IResourceBuilder<IResourceWithEndpoints> AddContainer(StackContext stack)
    {
        var image = stack.Options.Images.Redis;
        // The image's entrypoint takes no password file; the shell expands it from the
        // environment so it never appears in the container's configuration.
        var command = "exec redis-server --requirepass \"$REDIS_PASSWORD\" "
            + string.Join(' ', Settings.Select(s => s.Contains(' ', StringComparison.Ordinal) ? $"'{s}'" : s));
        return stack.WithData(stack.Builder.AddContainer(Name, image.Image, image.Tag), "redis-container", "/data")
            .WithEntrypoint("/bin/sh")
            .WithArgs("-c", command)
            .WithEnvironment("REDIS_PASSWORD", stack.Parameters.RedisPassword)
            .WithEndpoint(name: EndpointName, targetPort: ContainerPort, scheme: "tcp");
    }

    /// <summary>Quotes a value the way redis.conf's argument splitter reads it back.</summary>
    private static string Quote(string value) =>
        "\"" + value.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal) + "\"";
}
