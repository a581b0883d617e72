using BuzzTalk.AppHost.Configuration;
using BuzzTalk.AppHost.LocalFleet;
using BuzzTalk.AppHost.Publish;
using BuzzTalk.AppHost.Resources;
using BuzzTalk.AppHost.Runtime;
using BuzzTalk.Publishing.SpotFleet;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace BuzzTalk.AppHost;

/// <summary>Builds the whole BuzzTalk topology into the app model.</summary>
public static class BuzzTalkStackExtensions
{
    /// <summary>Adds every resource of the stack, for the local profile configuration chooses, and returns them for further chaining.</summary>
    public static async Task<BuzzTalkResources> AddBuzzTalkAsync(this IDistributedApplicationBuilder builder, CancellationToken cancellationToken = default)
    {
        var options = BuzzTalkOptionsLoader.Load(builder.Configuration);
        var choice = builder.ExecutionContext.IsPublishMode
            ? new LocalRuntimeChoice(LocalRuntime.Containers, "publishing describes images")
            : await LocalRuntimeSelector.SelectAsync(options.LocalRuntime, options.Images.All.Select(i => i.ToString()),
                new ContainerEngineProbe(), cancellationToken).ConfigureAwait(false);

        var stack = new StackContext(
            builder,
            options,
            choice,
            new StateDirectory(builder.AppHostDirectory, options.StateDirectory),
            choice.Runtime == LocalRuntime.Processes ? HostTools.Find() : null,
            StackParameters.Add(builder));
        // First of the start-up side effects: the directories the resources below name.
        builder.Eventing.Subscribe<BeforeStartEvent>((_, _) =>
        {
            stack.State.Create();
            return Task.CompletedTask;
        });
        if (options.IsLocalFleet && !builder.ExecutionContext.IsPublishMode)
        {
            if (choice.Runtime != LocalRuntime.Processes)
            {
                // The fleet's containers reach MySQL and Redis on the swarm gateway, which the processes bind.
                throw new OptionsInvalidException(["BuzzTalk:Fleet=local runs the data services as processes: set BuzzTalk:LocalRuntime=processes (or auto)."]);
            }

            stack = stack with { LocalFleet = LocalFleetLayout.Create(stack) };
        }

        builder.Eventing.Subscribe<BeforeStartEvent>((e, _) =>
        {
            AppHostLog.RuntimeChosen(e.Services.GetRequiredService<ILoggerFactory>().CreateLogger("BuzzTalk.AppHost"),
                choice.Runtime, choice.Reason, stack.State.Root);
            return Task.CompletedTask;
        });

        // The compute environment the app's services are published to; its steps write the bundle and roll it out.
        var spotFleet = builder.AddSpotFleet("fleet", (fleet, model, ct) => PublishSettingsFactory.CreateAsync(options, builder.Configuration, fleet, model, ct))
            .WithDeploy(options.Deploy, options.IsLocalFleet ? LocalFleetLayout.DeployerSettingsPath(LocalFleetLayout.RootIn(stack.State)) : null);
        var redis = stack.AddBuzzTalkRedis();
        var mysql = stack.AddBuzzTalkMySql();
        var frontend = stack.AddBuzzTalkFrontend();
        // FRONT is the URL a browser opens, also when read inside a backend container.
        var site = new EndpointReference(frontend.Resource, FrontendResources.EndpointName, KnownNetworkIdentifiers.LocalhostNetwork);
        var backends = stack.AddBuzzTalkBackends(mysql, redis, site);
        if (!stack.IsPublish)
        {
            // A run's frontend proxies to the backends; the published stack's edge does, so its
            // frontend (static files) has nothing to wait for and the stack starts in one wave.
            frontend.WaitForBackends(backends);
        }

        var services = stack.AddBuzzTalkControlServices(mysql, redis);
        var deployer = services.Deployer;
        backends[0].WithDeployerCommands(deployer, stack.Parameters.DeployerApiPassword, BackendResources.Name);
        frontend.WithDeployerCommands(deployer, stack.Parameters.DeployerApiPassword, FrontendResources.Name);
        if (stack.LocalFleet is { } fleet)
        {
            stack.AddBuzzTalkLocalFleet(fleet, spotFleet.Resource, mysql, redis, services);
        }

        return new BuzzTalkResources(stack, spotFleet, mysql, redis, backends, frontend, services);
    }
}
