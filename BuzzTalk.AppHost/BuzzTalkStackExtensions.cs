using BuzzTalk.AppHost.Configuration;
using BuzzTalk.AppHost.Publishing;
using BuzzTalk.AppHost.Resources;
using BuzzTalk.AppHost.Runtime;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace BuzzTalk.AppHost;

/// <summary>Builds the whole BuzzTalk topology into the app model.</summary>
public static class BuzzTalkStackExtensions
{
    public static async Task<StackContext> AddBuzzTalkAsync(this IDistributedApplicationBuilder builder, CancellationToken cancellationToken = default)
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

        builder.Eventing.Subscribe<BeforeStartEvent>((e, _) =>
        {
            AppHostLog.RuntimeChosen(e.Services.GetRequiredService<ILoggerFactory>().CreateLogger("BuzzTalk.AppHost"),
                choice.Runtime, choice.Reason, stack.State.Root);
            return Task.CompletedTask;
        });

        var redis = stack.AddBuzzTalkRedis();
        var mysql = stack.AddBuzzTalkMySql();
        var frontend = stack.AddBuzzTalkFrontend();
        var backends = stack.AddBuzzTalkBackends(mysql, redis, frontend.GetEndpoint(FrontendResources.EndpointName));
        frontend.WaitForBackends(backends);

        var deployer = stack.AddBuzzTalkControlServices(mysql, redis);
        backends[0].WithDeployerCommands(deployer, stack.Parameters.DeployerApiPassword, BackendResources.Name);
        frontend.WithDeployerCommands(deployer, stack.Parameters.DeployerApiPassword, FrontendResources.Name);
        if (builder.ExecutionContext.IsPublishMode)
        {
            builder.AddBuzzTalkBundle(options);
        }

        return stack;
    }
}
