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
        var output = stdout ?? Console.Out;
        var errors = stderr ?? Console.Error;

        var config = new Option<FileInfo?>("--config") { Description = "JSON settings file (section Deployer).", Recursive = true };
        var format = new Option<OutputFormat>("--output") { Description = "human (default) or json.", Recursive = true, DefaultValueFactory = _ => OutputFormat.Human };
        var instances = new Option<string[]>("--instance") { Description = "Only these instances (by name); repeatable.", Recursive = true, AllowMultipleArgumentsPerToken = true };

        var bundle = new Option<DirectoryInfo>("--bundle") { Description = "The published bundle directory.", Required = true };
        var services = new Option<string?>("--services") { Description = "Comma-separated services (e.g. backend,frontend); default: the whole stack." };
        var imageTag = new Option<string?>("--image-tag") { Description = "Image tag for the services." };
        var parallel = new Option<int>("--parallel") { Description = "Instances at a time.", DefaultValueFactory = _ => 1 };
        var maxFailures = new Option<int>("--max-failures") { Description = "Failed instances tolerated before no new instance starts.", DefaultValueFactory = _ => 0 };
        var noFleetRollback = new Option<bool>("--no-fleet-rollback")
        {
            Description = "Keep instances that took the release when another fails (default: roll them back, so the fleet runs one release).",
        };
        var envDir = new Option<DirectoryInfo?>("--env-dir") { Description = "Rendered env files (render-env --out) to upload, mode 0600." };

        var plan = new Command("plan", "What a deploy would change on each instance; nothing is changed.") { bundle, services, imageTag };
        var deploy = new Command("deploy", "Roll the bundle out, instance by instance under each deploy lease.") { bundle, services, imageTag, parallel, maxFailures, noFleetRollback, envDir };
        var rollback = new Command("rollback", "Roll services back to the release each instance ran before its last one (its recorded history).") { services, parallel, maxFailures };
        var status = new Command("status", "Services, images, replicas, lease and release of each instance.");
        var leaseStatus = new Command("status", "Who holds each instance's deploy lease.");
        var force = new Option<bool>("--force") { Description = "Remove the lease whoever holds it.", Required = true };
        var leaseRelease = new Command("release", "Remove a stuck lease (its holder stops at its next renewal).") { force };
        var lease = new Command("lease", "The deploy lease.") { leaseStatus, leaseRelease };

        var env = new Option<FileInfo>("--env") { Description = "The .env file.", Required = true };
        var outDir = new Option<DirectoryInfo>("--out") { Description = "Where to write the per-host files (mode 0600).", Required = true };
        var renderEnv = new Command("render-env", "Validate a .env file and write the per-host env and secret files the bundle's services read.") { env, bundle, outDir };

        var tunnelHost = new Option<string>("--host") { Description = "SSH host of the database.", Required = true };
        var tunnelSshPort = new Option<int>("--ssh-port") { Description = "SSH port (default: Deployer:Ssh:Port).", DefaultValueFactory = _ => 0 };
        var remoteHost = new Option<string>("--remote-host") { Description = "Database host as the SSH server sees it.", DefaultValueFactory = _ => "127.0.0.1" };
        var remotePort = new Option<int>("--remote-port") { Description = "Database port on the far side.", DefaultValueFactory = _ => 3306 };
        var localPort = new Option<int>("--local-port") { Description = "Local port on 127.0.0.1 (0 = any free one).", DefaultValueFactory = _ => 0 };
        var tunnel = new Command("tunnel", "Keep an SSH local port forward to a private database open, reconnecting as needed.")
        {
            tunnelHost, tunnelSshPort, remoteHost, remotePort, localPort,
        };

        var serve = new Command("serve", "Run as a service: the same operations over an authenticated HTTP API.");
        serve.TreatUnmatchedTokensAsErrors = false;

        var root = new RootCommand("BuzzTalk Deployer: zero-downtime rollouts of the published bundle to every instance.")
        {
            config, format, instances, plan, deploy, rollback, status, lease, renderEnv, tunnel, serve,
        };

        DeployerCommands Build(ParseResult result) => new(result.GetValue(config), result.GetValue(format), result.GetValue(instances) ?? [], output, errors);

        deploy.SetAction((result, ct) => Build(result).DeployAsync(result.GetValue(bundle)!, Split(result.GetValue(services)), result.GetValue(imageTag),
            result.GetValue(parallel), result.GetValue(maxFailures), !result.GetValue(noFleetRollback), result.GetValue(envDir), ct));
        plan.SetAction((result, ct) => Build(result).PlanAsync(result.GetValue(bundle)!, Split(result.GetValue(services)), result.GetValue(imageTag), ct));
        rollback.SetAction((result, ct) => Build(result).RollbackAsync(Split(result.GetValue(services)), result.GetValue(parallel), result.GetValue(maxFailures), ct));
        status.SetAction((result, ct) => Build(result).StatusAsync(leaseOnly: false, ct));
        leaseStatus.SetAction((result, ct) => Build(result).StatusAsync(leaseOnly: true, ct));
        leaseRelease.SetAction((result, ct) => Build(result).ReleaseLeaseAsync(ct));
        renderEnv.SetAction((result, ct) => Build(result).RenderEnvAsync(result.GetValue(env)!, result.GetValue(bundle)!, result.GetValue(outDir)!, ct));
        tunnel.SetAction((result, ct) => Build(result).TunnelAsync(result.GetValue(tunnelHost)!, result.GetValue(tunnelSshPort), result.GetValue(remoteHost)!,
            result.GetValue(remotePort), result.GetValue(localPort), ct));
        serve.SetAction((result, ct) => Service.DeployerService.RunAsync(result.UnmatchedTokens.ToArray(), result.GetValue(config), ct));

        return root.Parse(args).InvokeAsync(cancellationToken: cancellationToken);
    }

    private static IReadOnlyList<string>? Split(string? services) =>
        services is null ? null : [.. services.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)];

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
