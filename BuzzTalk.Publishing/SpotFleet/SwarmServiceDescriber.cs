using System.Globalization;
using System.Net.Sockets;
using System.Text.RegularExpressions;

namespace BuzzTalk.Publishing.SpotFleet;

/// <summary>
/// The spot fleet's publisher: walks the app model and describes each resource marked with
/// <see cref="SwarmServiceAnnotation"/> whose compute environment is the fleet
/// (<see cref="SpotFleetResource.Hosts"/>) as a stack service, from the resource's own annotations.
/// Its environment callbacks run as for a publish, and each value lands where it can exist:
/// <list type="bullet">
/// <item>a string, or an endpoint of another fleet service, is written into the stack file
/// (an internal endpoint is the service's swarm DNS name, an external one the site's public URL);</item>
/// <item>a parameter (secret or not), or anything that refers to a resource outside the fleet
/// (MySQL, Redis), becomes a key of the service's env file, which the Deployer renders from the
/// operator's .env: no value of these is ever known to, or written by, a publish.</item>
/// </list>
/// </summary>
public static partial class SwarmServiceDescriber
{
    public static async Task<IReadOnlyList<SwarmServiceSpec>> DescribeAsync(SpotFleetResource spotFleet, IEnumerable<IResource> resources, string publicUrl,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(spotFleet);
        ArgumentNullException.ThrowIfNull(resources);
        var site = new Uri(publicUrl, UriKind.Absolute);
        var all = resources.ToList();
        var fleet = all.Where(r => r.Annotations.OfType<SwarmServiceAnnotation>().Any() && spotFleet.Hosts(r, all))
            .ToDictionary(r => r, r => r.Annotations.OfType<SwarmServiceAnnotation>().Single().Options());
        var context = new DistributedApplicationExecutionContext(DistributedApplicationOperation.Publish);

        var specs = new List<SwarmServiceSpec>();
        foreach (var (resource, options) in fleet)
        {
            if (!ServiceName().IsMatch(resource.Name))
            {
                throw new InvalidOperationException($"Resource '{resource.Name}' cannot name a swarm service: lower-case letters, digits and '-'.");
            }

            var environment = new SortedDictionary<string, string>(StringComparer.Ordinal);
            var envFile = new SortedSet<string>(StringComparer.Ordinal);
            foreach (var (key, value) in await EnvironmentAsync(resource, context, cancellationToken).ConfigureAwait(false))
            {
                if (options.Environment.ContainsKey(key))
                {
                    continue;
                }

                var literal = await LiteralAsync(value, fleet, site).ConfigureAwait(false);
                if (literal is null)
                {
                    envFile.Add(key);
                }
                else
                {
                    environment[key] = literal;
                }
            }

            foreach (var (key, value) in options.Environment)
            {
                environment[key] = value;
            }

            foreach (var key in environment.Keys.Concat(envFile).Concat(options.OptionalEnvFileKeys))
            {
                if (!VariableName().IsMatch(key))
                {
                    throw new InvalidOperationException($"Resource '{resource.Name}': '{key}' is not an environment variable name.");
                }
            }

            if (environment.Values.Any(v => v.AsSpan().IndexOfAny('\n', '\r') >= 0))
            {
                throw new InvalidOperationException($"Resource '{resource.Name}': an environment value holds a line break.");
            }

            var health = resource.Annotations.OfType<HealthPathAnnotation>().LastOrDefault();
            if (health is null && resource.Annotations.OfType<HealthCheckAnnotation>().Any())
            {
                // Aspire's health checks are code run by the AppHost: none can be read back as a container health check.
                throw new InvalidOperationException($"Resource '{resource.Name}' has a health check the spot fleet cannot publish: " +
                    "declare it with WithHealthPath(path), which registers Aspire's HTTP health check and the stack's container health check alike.");
            }

            // A host process's arguments are for this machine; a container's travel with its image.
            var container = resource as ContainerResource;
            var command = container is null ? null : await ArgumentsAsync(resource, context, fleet, site, cancellationToken).ConfigureAwait(false);
            var edge = Edge(resource, options);
            specs.Add(new SwarmServiceSpec
            {
                Name = resource.Name,
                Image = Image(resource, options),
                Entrypoint = container?.Entrypoint,
                Command = command,
                Port = Port(resource, options, health?.EndpointName),
                Environment = [.. environment],
                EnvFileKeys = [.. envFile],
                OptionalEnvFileKeys = [.. options.OptionalEnvFileKeys.Except(envFile).Except(environment.Keys)],
                HealthPath = health?.Path,
                Probe = options.Probe,
                HealthStartPeriod = options.HealthStartPeriod,
                Replicas = options.Replicas,
                Limits = options.Limits,
                PublishedPorts = PublishedPorts(resource, options.Replicas),
                Edge = edge,
                EdgePath = edge == EdgeRoute.Prefix ? options.EdgePath ?? $"/{resource.Name}/" : null,
                // Only fleet services can be started before this one on an instance; the rest (MySQL, Redis) are outside it.
                WaitFor = [.. resource.Annotations.OfType<WaitAnnotation>().Select(w => w.Resource)
                    .Where(r => r != resource && fleet.ContainsKey(r)).Select(r => r.Name)
                    .Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal)],
            });
        }

        if (specs.Count(s => s.Edge == EdgeRoute.Site) != 1 || specs.Count(s => s.Edge == EdgeRoute.Backend) > 1)
        {
            throw new InvalidOperationException("The spot fleet needs exactly one service that serves the site (EdgeRoute.Site) and at most one chat backend.");
        }

        var paths = specs.Where(s => s.EdgePath is not null).GroupBy(s => s.EdgePath, StringComparer.Ordinal).FirstOrDefault(g => g.Count() > 1);
        if (paths is not null)
        {
            throw new InvalidOperationException($"Two services are routed at {paths.Key} by the edge.");
        }

        return specs;
    }

    /// <summary>
    /// The values of a service's env-file variables where the service runs, for a fleet on this
    /// machine: the resource's environment as a run has it, with each endpoint as
    /// <paramref name="endpoint"/> says the fleet's containers reach it. Unset optional ones are left out.
    /// </summary>
    public static async Task<IReadOnlyList<KeyValuePair<string, string>>> EnvFileValuesAsync(IResource resource, SwarmServiceSpec service,
        DistributedApplicationExecutionContext context, Func<EndpointReference, EndpointProperty, CancellationToken, Task<string>> endpoint,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(resource);
        ArgumentNullException.ThrowIfNull(service);
        var environment = await EnvironmentAsync(resource, context, cancellationToken).ConfigureAwait(false);
        var values = new List<KeyValuePair<string, string>>();
        foreach (var key in service.EnvFileKeys.Concat(service.OptionalEnvFileKeys))
        {
            if (environment.TryGetValue(key, out var value))
            {
                values.Add(new(key, await ValueAsync(value, endpoint, cancellationToken).ConfigureAwait(false)));
            }
            else if (service.EnvFileKeys.Contains(key, StringComparer.Ordinal))
            {
                throw new InvalidOperationException($"Resource '{resource.Name}' has no value for {key} in this run.");
            }
        }

        return values;
    }

    private static async Task<string> ValueAsync(object? value, Func<EndpointReference, EndpointProperty, CancellationToken, Task<string>> endpoint,
        CancellationToken cancellationToken) =>
        await ResolveAsync(value, async leaf => leaf switch
        {
            EndpointReference reference => await endpoint(reference, EndpointProperty.Url, cancellationToken).ConfigureAwait(false),
            EndpointReferenceExpression property => await endpoint(property.Endpoint, property.Property, cancellationToken).ConfigureAwait(false),
            IValueProvider provider => await provider.GetValueAsync(cancellationToken).ConfigureAwait(false) ?? "",
            _ => throw new InvalidOperationException($"A value of type {leaf.GetType().Name} cannot be resolved."),
        }).ConfigureAwait(false) ?? "";

    /// <summary>
    /// A value of the model as text: a string as it is, a reference expression part by part (a part
    /// formatted <c>uri</c> escaped), anything else by <paramref name="leaf"/>. Null when a part has
    /// no value here.
    /// </summary>
    private static async Task<string?> ResolveAsync(object? value, Func<object, Task<string?>> leaf)
    {
        switch (value)
        {
            case null:
                return "";
            case string text:
                return text;
            case ReferenceExpression expression:
                var parts = new object?[expression.ValueProviders.Count];
                for (var i = 0; i < parts.Length; i++)
                {
                    var part = await ResolveAsync(expression.ValueProviders[i], leaf).ConfigureAwait(false);
                    if (part is null)
                    {
                        return null;
                    }

                    parts[i] = expression.StringFormats[i] == "uri" ? Uri.EscapeDataString(part) : part;
                }

                return string.Format(CultureInfo.InvariantCulture, expression.Format, parts);
            default:
                return await leaf(value).ConfigureAwait(false);
        }
    }

    private static async Task<IReadOnlyList<string>?> ArgumentsAsync(IResource resource, DistributedApplicationExecutionContext context,
        IReadOnlyDictionary<IResource, SwarmServiceOptions> fleet, Uri site, CancellationToken cancellationToken)
    {
        var callbacks = resource.Annotations.OfType<CommandLineArgsCallbackAnnotation>().ToList();
        if (callbacks.Count == 0)
        {
            return null;
        }

        var args = new List<object>();
        var callbackContext = new CommandLineArgsCallbackContext(args, resource, cancellationToken) { ExecutionContext = context };
        foreach (var callback in callbacks)
        {
            await callback.Callback(callbackContext).ConfigureAwait(false);
        }

        var command = new List<string>();
        foreach (var arg in args)
        {
            command.Add(await LiteralAsync(arg, fleet, site).ConfigureAwait(false)
                ?? throw new InvalidOperationException($"Resource '{resource.Name}': an argument takes a value only the instance knows; pass it in the environment instead."));
        }

        return command;
    }

    private static async Task<Dictionary<string, object>> EnvironmentAsync(IResource resource, DistributedApplicationExecutionContext context,
        CancellationToken cancellationToken)
    {
        var environment = new Dictionary<string, object>(StringComparer.Ordinal);
        var callbackContext = new EnvironmentCallbackContext(context, resource, environment, cancellationToken);
        foreach (var callback in resource.Annotations.OfType<EnvironmentCallbackAnnotation>())
        {
            await callback.Callback(callbackContext).ConfigureAwait(false);
        }

        return environment;
    }

    /// <summary>The value written into the stack file, or null when only the instance can know it (an env-file key).</summary>
    private static Task<string?> LiteralAsync(object? value, IReadOnlyDictionary<IResource, SwarmServiceOptions> fleet, Uri site) =>
        ResolveAsync(value, leaf => Task.FromResult(leaf switch
        {
            ParameterResource or IResourceWithConnectionString or ConnectionStringReference => null,
            EndpointReference endpoint => Endpoint(endpoint, EndpointProperty.Url, fleet, site),
            EndpointReferenceExpression property => Endpoint(property.Endpoint, property.Property, fleet, site),
            _ => throw new InvalidOperationException($"A value of type {leaf.GetType().Name} cannot be published to the spot fleet."),
        }));

    private static string? Endpoint(EndpointReference endpoint, EndpointProperty property, IReadOnlyDictionary<IResource, SwarmServiceOptions> fleet, Uri site)
    {
        if (!fleet.TryGetValue(endpoint.Resource, out var options))
        {
            return null;
        }

        var annotation = endpoint.EndpointAnnotation;
        // The edge publishes the site: what the world calls it is the public URL. Any other
        // service is reached inside the stack, by its swarm DNS name.
        return annotation.IsExternal && options.Edge == EdgeRoute.Site
            ? EndpointValue(property, site.Scheme, site.Host, site.Port.ToString(CultureInfo.InvariantCulture),
                url: site.OriginalString.TrimEnd('/'), hostAndPort: site.Authority)
            : EndpointValue(property, annotation.UriScheme, endpoint.Resource.Name,
                Port(endpoint.Resource, options, annotation.Name).ToString(CultureInfo.InvariantCulture));
    }

    /// <summary>One property of an endpoint reached at <paramref name="host"/>:<paramref name="port"/>.</summary>
    public static string EndpointValue(EndpointProperty property, string scheme, string host, string port, string? url = null, string? hostAndPort = null) =>
        property switch
        {
            EndpointProperty.Url => url ?? $"{scheme}://{host}:{port}",
            EndpointProperty.Host or EndpointProperty.IPV4Host => host,
            EndpointProperty.Port or EndpointProperty.TargetPort => port,
            EndpointProperty.HostAndPort => hostAndPort ?? $"{host}:{port}",
            EndpointProperty.Scheme => scheme,
            _ => throw new InvalidOperationException($"Endpoint property {property} of {host} cannot be resolved outside a run."),
        };

    private static ContainerImage Image(IResource resource, SwarmServiceOptions options)
    {
        if (resource.TryGetLastAnnotation<ContainerImageAnnotation>(out var image))
        {
            var name = image.Registry is { Length: > 0 } registry ? $"{registry}/{image.Image}" : image.Image;
            return new ContainerImage(name, image.Tag ?? "latest");
        }

        return options.Image ?? throw new InvalidOperationException($"Resource '{resource.Name}' has no image to publish: give it one with PublishAsSwarmService(s => s.Image = ...).");
    }

    /// <summary>The hook's route, else a prefix of its own for a resource with an external HTTP endpoint.</summary>
    private static EdgeRoute Edge(IResource resource, SwarmServiceOptions options) =>
        options.Edge ?? (resource.Annotations.OfType<EndpointAnnotation>().Any(e => e.IsExternal && IsHttp(e)) ? EdgeRoute.Prefix : EdgeRoute.None);

    /// <summary>
    /// The external endpoints that are not HTTP, published on each instance's host at their
    /// <c>port</c>. A host port is held by one task, so such a service runs one replica.
    /// </summary>
    private static List<PublishedPort> PublishedPorts(IResource resource, int replicas)
    {
        var ports = new List<PublishedPort>();
        foreach (var endpoint in resource.Annotations.OfType<EndpointAnnotation>().Where(e => e.IsExternal && !IsHttp(e)))
        {
            var target = endpoint.TargetPort
                ?? throw new InvalidOperationException($"Resource '{resource.Name}': external endpoint '{endpoint.Name}' needs a targetPort (the port inside the container).");
            var published = endpoint.Port
                ?? throw new InvalidOperationException($"Resource '{resource.Name}': external endpoint '{endpoint.Name}' needs a port to publish on each instance.");
            ports.Add(new PublishedPort(target, published, endpoint.Protocol == ProtocolType.Udp ? "udp" : "tcp"));
        }

        if (ports.Count > 0 && replicas > 1)
        {
            throw new InvalidOperationException($"Resource '{resource.Name}' publishes a host port, which one task per instance holds: it cannot run {replicas} replicas.");
        }

        return ports;
    }

    private static bool IsHttp(EndpointAnnotation endpoint) => endpoint.UriScheme is "http" or "https";

    private static int Port(IResource resource, SwarmServiceOptions options, string? endpointName)
    {
        if (options.Port is { } port)
        {
            return port;
        }

        var endpoints = resource.Annotations.OfType<EndpointAnnotation>().ToList();
        // Its "http" endpoint (or the health path's), else the first it declares.
        var endpoint = endpoints.FirstOrDefault(e => e.Name == (endpointName ?? "http")) ?? endpoints.FirstOrDefault();
        return endpoint?.TargetPort
            ?? throw new InvalidOperationException($"Resource '{resource.Name}' has no container port to publish: give its endpoint a targetPort.");
    }

    [GeneratedRegex("^[a-z][a-z0-9-]{0,62}$")]
    private static partial Regex ServiceName();

    [GeneratedRegex("^[A-Za-z_][A-Za-z0-9_]*$")]
    private static partial Regex VariableName();
}
