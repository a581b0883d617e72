namespace BuzzTalk.AppHost.Resources;

/// <summary>The BuzzTalk C# services: discovery, scaler, deployer.</summary>
public static class ControlServiceResources
{
    public const string Discovery = "discovery";
    public const string Scaler = "scaler";
    public const string Deployer = "deployer";
    public const string DeployerApiUser = "deployer";

    public static ControlServices AddBuzzTalkControlServices(
        this StackContext stack,
        IResourceBuilder<IResourceWithEndpoints> mysql,
        IResourceBuilder<IResourceWithEndpoints> redis)
    {
        var parameters = stack.Parameters;

        // /probe/mysql/mysql and /probe/redis/redis: Discovery probes what it references, by
        // connection name; only the connection strings, no password of its own anywhere else.
        var fleetPorts = stack.LocalFleet;
        var discovery = stack.Builder.AddControlService<Projects.BuzzTalk_Discovery>(Discovery, fleetPorts?.DiscoveryPort)
            .WithReferenceEnvironment(ReferenceEnvironmentInjectionFlags.ConnectionString)
            .WithReference(stack.Builder.ConnectionOf(mysql))
            .WithReference(stack.Builder.ConnectionOf(redis));
        // The Scaler reads the inventory from Discovery and takes alerts with basic auth.
        var scaler = stack.Builder.AddControlService<Projects.BuzzTalk_Scaler>(Scaler, fleetPorts?.ScalerPort)
            .WithReference(discovery)
            .WithEnvironment("Scaler__Webhooks__Username", BuzzTalk.Deployer.Env.EnvRenderer.DefaultWebhookUser)
            .WithEnvironment("Scaler__Webhooks__Password", parameters.ScalerWebhookPassword);
        if (!stack.IsPublish)
        {
            // Local runs only (a publish names no folder of this machine): the last good inventory,
            // and the Scaler's decision state, survive a restart of the resource.
            discovery.WithEnvironment("Discovery__StateDirectory", stack.State.Directory("discovery"));
            scaler.WithEnvironment("Scaler__StateDirectory", stack.State.Directory("scaler"));
        }

        // One binary, CLI and service: `serve` is the service. Its API takes basic auth; the
        // dashboard commands on the backend and frontend call it.
        var deployer = stack.Builder.AddControlService<Projects.BuzzTalk_Deployer>(Deployer, fleetPorts?.DeployerPort)
            .WithArgs("serve")
            .WithReference(discovery)
            .WithEnvironment("Deployer__Api__Username", DeployerApiUser)
            .WithEnvironment("Deployer__Api__Password", parameters.DeployerApiPassword);
        // Both reach the instances with the same key and pinned host keys (paths only).
        var fleet = stack.Options.Fleet;
        if (fleet.IsConfigured)
        {
            foreach (var (service, section) in new[] { ((IResourceBuilder<IResourceWithEnvironment>)scaler, "Scaler"), (deployer, "Deployer") })
            {
                service.WithEnvironment($"{section}__Ssh__User", fleet.SshUser)
                    .WithEnvironment($"{section}__Ssh__PrivateKeyFile", Path.GetFullPath(fleet.PrivateKeyFile))
                    .WithEnvironment($"{section}__Ssh__KnownHostsFile", Path.GetFullPath(fleet.KnownHostsFile));
            }
        }

        if (stack.Options.DeployBundle is { Length: > 0 } bundle)
        {
            deployer.WithEnvironment("Deployer__Bundle", Path.GetFullPath(bundle, stack.Builder.AppHostDirectory));
        }

        return new ControlServices(discovery, scaler, deployer);
    }

    /// <summary>
    /// The resource whose connection string a consumer references for <paramref name="server"/>:
    /// the server itself, or the connection string resource it redirects to (the database tunnel).
    /// </summary>
    public static IResourceBuilder<IResourceWithConnectionString> ConnectionOf(this IDistributedApplicationBuilder builder, IResourceBuilder<IResource> server) =>
        server.Resource switch
        {
            IResourceWithConnectionString connection => builder.CreateResourceBuilder(connection),
            var other when other.TryGetLastAnnotation<ConnectionStringRedirectAnnotation>(out var redirect) => builder.CreateResourceBuilder(redirect.Resource),
            var other => throw new InvalidOperationException($"Resource '{other.Name}' has no connection string to reference."),
        };

    /// <summary>A BuzzTalk C# service with ServiceDefaults' health endpoint; a fixed port where a config names it (the local fleet's monitoring).</summary>
    private static IResourceBuilder<ProjectResource> AddControlService<TProject>(this IDistributedApplicationBuilder builder, string name, int? port)
        where TProject : IProjectMetadata, new() =>
        builder.AddProject<TProject>(name, launchProfileName: null)
            .WithPlainHttp()
            // A fixed port is served directly: no proxy, so no test host's port randomizing moves it.
            .WithHttpEndpoint(name: "http", port: port, isProxied: port is null)
            .WithHttpHealthCheck("/health", endpointName: "http");
}
