#pragma warning disable ASPIREPIPELINES001 // pipeline steps are experimental in Aspire 13.6

using Aspire.Hosting.Pipelines;
using Microsoft.Extensions.DependencyInjection;


namespace BuzzTalk.Publishing.SpotFleet;

/// <summary>The spot fleet in the app model: the environment, and how a resource becomes one of its services.</summary>
public static class SpotFleetExtensions
{
    /// <summary>
    /// Adds the spot fleet the app is published to, with its pipeline steps: the bundle
    /// (<c>buzztalk-bundle</c>, on <c>publish</c>) and the rollout (<c>buzztalk-deploy</c>, on
    /// <c>deploy</c>); <paramref name="settings"/> reads the publish inputs when the bundle step
    /// runs. Only a publish puts the fleet in the model (a local run has nothing to show for it);
    /// its services are marked either way, so the local fleet publishes the same stack.
    /// </summary>
    public static IResourceBuilder<SpotFleetResource> AddSpotFleet(this IDistributedApplicationBuilder builder, string name,
        Func<SpotFleetResource, IEnumerable<IResource>, CancellationToken, Task<PublishSettings>> settings)
    {
        ArgumentNullException.ThrowIfNull(builder);
        if (builder.Resources.OfType<SpotFleetResource>().Any())
        {
            throw new InvalidOperationException("The app model already has a spot fleet: its services are published to that one.");
        }

        var fleet = new SpotFleetResource(name, settings);
        if (!builder.ExecutionContext.IsPublishMode)
        {
            return builder.CreateResourceBuilder(fleet);
        }

        // What the AppHost's exit code is read from (BundlePublishingExtensions.ExitCode).
        builder.Services.AddSingleton<PublishOutcome>();
        builder.Services.AddSingleton<DeployOutcome>();
#pragma warning disable ASPIREPIPELINES002 // experimental interface
        builder.Services.AddSingleton<IDeploymentStateManager, InMemoryDeploymentState>();
#pragma warning restore ASPIREPIPELINES002
        var repositoryRoot = Path.GetFullPath(Path.Combine(builder.AppHostDirectory, ".."));
        var appHostDirectory = builder.AppHostDirectory;
        fleet.Annotations.Add(new PipelineStepAnnotation(_ => (IEnumerable<PipelineStep>)
        [
            BundlePublishingExtensions.CreateStep(fleet, repositoryRoot),
            SpotFleetDeployStep.CreateStep(fleet, appHostDirectory),
        ]));
        // The manifest describes resources Aspire knows how to deploy; the fleet publishes its own bundle.
        return builder.AddResource(fleet).ExcludeFromManifest();
    }

    /// <summary>
    /// <c>aspire deploy</c>'s rollout: the Deployer's settings and options (<paramref name="options"/>),
    /// and the running local fleet's settings file used when they name none.
    /// </summary>
    public static IResourceBuilder<SpotFleetResource> WithDeploy(this IResourceBuilder<SpotFleetResource> builder, FleetDeployOptions options,
        string? localDeployerSettings = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(options);
        builder.Resource.Deploy = options;
        builder.Resource.LocalDeployerSettings = localDeployerSettings;
        return builder;
    }

    /// <summary>Publishes the resource as a service of each instance's swarm stack; <paramref name="configure"/> adds what the model does not say.</summary>
    public static IResourceBuilder<T> PublishAsSwarmService<T>(this IResourceBuilder<T> builder, Action<SwarmServiceOptions>? configure = null)
        where T : IResourceWithEnvironment
    {
        ArgumentNullException.ThrowIfNull(builder);
        var annotation = builder.Resource.Annotations.OfType<SwarmServiceAnnotation>().SingleOrDefault();
        if (annotation is null)
        {
            annotation = new SwarmServiceAnnotation();
            builder.WithAnnotation(annotation);
        }

        if (configure is not null)
        {
            annotation.Configure.Add(configure);
        }

        return builder;
    }

    /// <summary>The task's CPU and memory limits and reservations in the published stack.</summary>
    public static IResourceBuilder<T> WithSwarmLimits<T>(this IResourceBuilder<T> builder, ServiceLimits limits)
        where T : IResourceWithEnvironment
    {
        ArgumentNullException.ThrowIfNull(limits);
        return builder.PublishAsSwarmService(s => s.Limits = limits);
    }

    /// <summary>Tasks per instance when the published stack is first deployed.</summary>
    public static IResourceBuilder<T> WithSwarmReplicas<T>(this IResourceBuilder<T> builder, int replicas)
        where T : IResourceWithEnvironment
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(replicas, 1);
        return builder.PublishAsSwarmService(s => s.Replicas = replicas);
    }

    /// <summary>
    /// The resource is healthy when <paramref name="path"/> answers 200: Aspire's HTTP health
    /// check locally, a container health check in the published stack.
    /// </summary>
    public static IResourceBuilder<T> WithHealthPath<T>(this IResourceBuilder<T> builder, string path, string endpointName = "http")
        where T : IResourceWithEndpoints
    {
        ArgumentNullException.ThrowIfNull(builder);
        if (!path.StartsWith('/') || path.Any(c => char.IsWhiteSpace(c) || c is '\'' or '"' or '\\' or '$' or '`'))
        {
            throw new ArgumentException($"Health path '{path}' must start with '/' and hold no spaces, quotes or '$'.", nameof(path));
        }

        return builder.WithHttpHealthCheck(path, endpointName: endpointName)
            .WithAnnotation(new HealthPathAnnotation(path, endpointName), ResourceAnnotationMutationBehavior.Replace);
    }
}
