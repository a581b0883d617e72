using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace BuzzTalk.AppHost.Resources;

/// <summary>The <c>redis</c> resource: the channel layer behind the backends' websockets.</summary>
public static class RedisResources
{
    public const string Name = "redis";
    /// <summary>Aspire's Redis integration names its endpoint so too.</summary>
    public const string EndpointName = ServerProcessResource.EndpointName;

    /// <summary>The scheme Aspire's Redis integration gives its endpoint; the process uses it too.</summary>
    public const string Scheme = "redis";

    /// <summary>The seed's settings: 500 MB LRU cache with its RDB snapshot schedule.</summary>
    public static IReadOnlyList<string> Settings { get; } =
    [
        "--maxmemory", "500mb",
        "--maxmemory-policy", "allkeys-lru",
        "--save", "43200 1 7800 100 3600 10000",
        "--protected-mode", "yes",
    ];

    public static IResourceBuilder<IResourceWithEndpoints> AddBuzzTalkRedis(this StackContext stack) =>
        stack.IsProcesses ? AddProcess(stack) : AddContainer(stack);

    /// <summary>Aspire's Redis integration checks its container itself; the process gets the same PING.</summary>
    private static IResourceBuilder<IResourceWithEndpoints> WithPingHealthCheck(this IResourceBuilder<IResourceWithEndpoints> redis, StackContext stack)
    {
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
        var redis = stack.Builder.AddResource(new ServerProcessResource(Name, stack.HostTools.RedisServer, dir,
                e => Url(e, stack.Parameters.RedisPassword.Resource)))
            .WithEndpoint(name: EndpointName, scheme: Scheme, targetPort: stack.LocalFleet?.RedisPort);
        var endpoint = redis.GetEndpoint(EndpointName);

        // The password goes in a private config file, not argv, where `ps` would show it.
        redis.OnBeforeResourceStarted(async (_, _, ct) =>
        {
            var password = await stack.Parameters.RedisPassword.Resource.GetValueAsync(ct).ConfigureAwait(false)
                ?? throw new InvalidOperationException("Parameter redis-password has no value.");
            StateDirectory.WritePrivateFile(config, $"requirepass {Quote(password)}\n");
        });

        IResourceBuilder<IResourceWithEndpoints> process = redis
            .WithArgs(context =>
            {
                // Read when the process starts: the local fleet's address is asked of the engine then.
                context.Args.Add(config);
                context.Args.Add("--bind");
                foreach (var address in stack.ListenAddresses)
                {
                    context.Args.Add(address);
                }

                context.Args.Add("--dir");
                context.Args.Add(dir);
            })
            .WithArgs("--daemonize", "no", "--port")
            .WithArgs(endpoint.Property(EndpointProperty.TargetPort))
            .WithArgs([.. Settings]);
        return process.WithPingHealthCheck(stack);
    }

    /// <summary>
    /// Aspire's Redis container: it passes the password through the environment (never argv)
    /// and checks health itself; the seed's settings and the data mount go on top.
    /// </summary>
    private static IResourceBuilder<IResourceWithEndpoints> AddContainer(StackContext stack)
    {
        var image = stack.Options.Images.Redis;
        var redis = stack.Builder.AddRedis(Name, password: stack.Parameters.RedisPassword)
            // The configured reference names its registry itself.
            .WithImage(image.Image, image.Tag)
            .WithImageRegistry(null)
            // The backends speak plain redis://: a development certificate must not turn on TLS.
            .WithPlainHttp()
            .WithArgs([.. Settings])
            .WithArgs(CompleteShellCommand);
        // The seed's save schedule is in Settings, so the plain mount (WithDataBindMount would add its own --save).
        return stack.WithData(redis, "redis-container", "/data");
    }

    /// <summary>
    /// The integration hands its arguments to <c>sh -c</c> unquoted, so a space, <c>*</c> or
    /// <c>?</c> in the password would split or glob it: quote the variable where it is expanded.
    /// And <c>exec</c> redis-server in the shell's place: as the container's PID 1 it gets the
    /// engine's SIGTERM on stop and writes its snapshot, where the shell would ignore the signal
    /// until the engine kills both, losing every write since the last scheduled snapshot.
    /// </summary>
    private static void CompleteShellCommand(CommandLineArgsCallbackContext context)
    {
        for (var i = 0; i < context.Args.Count; i++)
        {
            if (context.Args[i] is PasswordReference)
            {
                context.Args[i] = $"\"{PasswordReference}\"";
            }
        }

        if (context.Args.Count > 0 && context.Args[0] is "redis-server")
        {
            context.Args.Insert(0, "exec");
        }
    }

    private const string PasswordReference = "$REDIS_PASSWORD";

    /// <summary>Quotes a value the way redis.conf's argument splitter reads it back.</summary>
    private static string Quote(string value) =>
        "\"" + value.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal) + "\"";
}
