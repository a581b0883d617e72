using System.CommandLine;
using BuzzTalk.Deployer.Configuration;

namespace BuzzTalk.Deployer.Cli;

/// <summary>
/// The <c>buzztalk-deployer</c> command line: plan, deploy, rollback, status, lease, render-env,
/// tunnel and serve. Settings come from <c>--config</c> (JSON), then <c>Deployer__*</c>
/// environment variables. Exit codes: 0 done, 1 an instance failed, 2 bad input (nothing changed),
/// 3 the deploy lease was held by another holder wherever it failed (nothing changed there).
/// </summary>
public static class DeployerCli
{
    public const int Success = 0;
    public const int InstanceFailed = 1;
    public const int BadInput = 2;

    /// <summary>Every instance that failed had its deploy lease held by another holder: nothing changed there.</summary>
    public const int LeaseBusy = 3;

    public static Task<int> RunAsync(string[] args, TextWriter? stdout = null, TextWriter? stderr = null, CancellationToken cancellationToken = default)
    {
        var globals = new GlobalOptions(stdout ?? Console.Out, stderr ?? Console.Error);
        var lease = new Command("lease", "The deploy lease.") { StatusCommand.Create(globals, leaseOnly: true), LeaseReleaseCommand.Create(globals) };
        var serve = new Command("serve", "Run as a service: the same operations over an authenticated HTTP API.");
        serve.TreatUnmatchedTokensAsErrors = false;
        serve.SetAction((result, ct) => Service.DeployerService.RunAsync(result.UnmatchedTokens.ToArray(), result.GetValue(globals.Config), ct));

        var root = new RootCommand("BuzzTalk Deployer: zero-downtime rollouts of the published bundle to every instance.")
        {
            globals.Config, globals.Format, globals.Instances,
            PlanCommand.Create(globals), DeployCommand.Create(globals), RollbackCommand.Create(globals), StatusCommand.Create(globals, leaseOnly: false),
            lease, RenderEnvCommand.Create(globals), TunnelCommand.Create(globals), serve,
        };
        return root.Parse(args).InvokeAsync(cancellationToken: cancellationToken);
    }

    /// <summary>Loads <see cref="DeployerOptions"/> from the config file and the environment.</summary>
    public static DeployerOptions LoadOptions(FileInfo? file)
    {
        var builder = new ConfigurationBuilder();
        if (file is not null)
        {
            builder.AddJsonFile(file.FullName, optional: false);
        }

        var configuration = builder.AddEnvironmentVariables().Build();
        return DeployerOptions.Load(configuration);
    }
}
