using System.Globalization;
using BuzzTalk.Fleet.Local;
using BuzzTalk.Publishing;
using BuzzTalk.Publishing.Nginx;
using BuzzTalk.Publishing.SpotFleet;

namespace BuzzTalk.AppHost.Resources;

/// <summary>The <c>frontend</c> resource: nginx serving the SPA and proxying to the backends.</summary>
public static class FrontendResources
{
    public const string Name = "frontend";
    public const string EndpointName = "http";
    public const string HealthPath = NginxConfigGenerator.HealthPath;
    public const int ContainerPort = 80;
    public const string ContainerSpaRoot = NginxConfigGenerator.ImageSpaRoot;

    public static IResourceBuilder<IWorkloadResource> AddBuzzTalkFrontend(this StackContext stack) =>
        Publish(stack.IsProcesses ? AddProcess(stack) : AddContainer(stack), stack)
            .WithHealthPath(HealthPath, EndpointName);

    /// <summary>The site: published behind each instance's edge, which owns the public port.</summary>
    private static IResourceBuilder<IWorkloadResource> Publish(IResourceBuilder<IWorkloadResource> frontend, StackContext stack) =>
        frontend.WithExternalHttpEndpoints()
            .PublishAsSwarmService(s =>
            {
                s.Image = stack.Options.Images.Frontend;
                s.Port = ContainerPort;
                s.Edge = EdgeRoute.Site;
            })
            .WithSwarmLimits(ServiceLimits.SeedFrontend);

    /// <summary>
    /// nginx starts after every backend is healthy: its config names them all. The backends are
    /// modelled after the frontend (they read its URL as <c>FRONT</c>), hence the annotation.
    /// </summary>
    public static void WaitForBackends(
        this IResourceBuilder<IWorkloadResource> frontend,
        IReadOnlyList<IResourceBuilder<IWorkloadResource>> backends)
    {
        foreach (var backend in backends)
        {
            frontend.WithAnnotation(new WaitAnnotation(backend.Resource, WaitType.WaitUntilHealthy));
        }
    }

    private static IResourceBuilder<IWorkloadResource> AddProcess(StackContext stack)
    {
        var dir = stack.State.Directory("nginx", isPrivate: false);
        var config = Path.Combine(dir, "nginx.conf");
        // nginx reads its listen port from the config file, so the AppHost picks it up front.
        var listenPort = LoopbackPort.Find();
        var frontend = stack.Builder.AddWorkloadProcess(Name, stack.HostTools.Nginx, dir,
                "-p", dir + "/", "-c", config, "-e", "stderr", "-g", "daemon off;")
            .WithHttpEndpoint(name: EndpointName, port: stack.Options.FrontendPort, targetPort: listenPort);

        frontend.OnBeforeResourceStarted(async (_, _, ct) =>
        {
            var backends = new List<string>();
            foreach (var backend in BackendEndpoints(stack))
            {
                backends.Add(await backend.Property(EndpointProperty.HostAndPort).GetValueAsync(ct).ConfigureAwait(false)
                    ?? throw new InvalidOperationException($"Endpoint of {backend.Resource.Name} is not allocated."));
            }

            var site = new NginxSite
            {
                Listen = $"127.0.0.1:{listenPort.ToString(CultureInfo.InvariantCulture)}",
                SpaRoot = Path.Combine(stack.SamplesDirectory, "chat-frontend"),
                Backends = [.. backends.Select(b => b.Replace("localhost:", "127.0.0.1:", StringComparison.Ordinal))],
                RuntimeDirectory = dir,
            };
            await File.WriteAllTextAsync(config, NginxConfigGenerator.Generate(site), ct).ConfigureAwait(false);
        });
        return frontend;
    }

    private static IResourceBuilder<IWorkloadResource> AddContainer(StackContext stack)
    {
        var frontend = stack.Builder.AddWorkloadContainer(Name, stack.Options.Images.Frontend)
            .WithHttpEndpoint(name: EndpointName, port: stack.Options.FrontendPort, targetPort: ContainerPort);
        if (stack.IsPublish)
        {
            // The published nginx config travels in the bundle (nginx/), mounted as a swarm config.
            return frontend;
        }

        var dir = stack.State.Directory("nginx-container", isPrivate: false);
        var config = Path.Combine(dir, "nginx.conf");
        frontend.WithBindMount(config, "/etc/nginx/nginx.conf", isReadOnly: true);

        // Containers reach each other by resource name on the AppHost's container network.
        frontend.OnBeforeResourceStarted(async (_, _, ct) =>
            await File.WriteAllTextAsync(config, NginxConfigGenerator.Generate(ContainerSite(stack.Options.BackendReplicas)), ct)
                .ConfigureAwait(false));
        return frontend;
    }

    /// <summary>nginx inside the frontend image, in front of the backend containers.</summary>
    public static NginxSite ContainerSite(int backendReplicas) => new()
    {
        Listen = ContainerPort.ToString(CultureInfo.InvariantCulture),
        SpaRoot = ContainerSpaRoot,
        Backends = [.. Enumerable.Range(1, backendReplicas).Select(i =>
            $"{BackendResources.ReplicaName(i)}:{BackendResources.ContainerPort.ToString(CultureInfo.InvariantCulture)}")],
    };

    private static IEnumerable<EndpointReference> BackendEndpoints(StackContext stack) =>
        Enumerable.Range(1, stack.Options.BackendReplicas)
            .Select(i => stack.Builder.Resources.OfType<IResourceWithEndpoints>()
                .Single(r => r.Name == BackendResources.ReplicaName(i)))
            .Select(r => r.GetEndpoint(BackendResources.EndpointName));
}
