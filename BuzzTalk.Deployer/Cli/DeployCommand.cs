using System.CommandLine;
using BuzzTalk.Deployer.Env;
using BuzzTalk.Deployer.Releases;
using BuzzTalk.Deployer.Rollout;

namespace BuzzTalk.Deployer.Cli;

/// <summary><c>deploy</c>: rolls the bundle out, instance by instance, each under its deploy lease.</summary>
public sealed class DeployCommand(CommandContext context)
{
    public static Command Create(GlobalOptions globals)
    {
        ArgumentNullException.ThrowIfNull(globals);
        var bundle = CommonOptions.Bundle();
        var services = CommonOptions.Services();
        var imageTag = CommonOptions.ImageTag();
        var parallel = CommonOptions.Parallel();
        var maxFailures = CommonOptions.MaxFailures();
        var noFleetRollback = new Option<bool>("--no-fleet-rollback")
        {
            Description = "Keep instances that took the release when another fails (default: roll them back, so the fleet runs one release).",
        };
        var envDir = new Option<DirectoryInfo?>("--env-dir") { Description = "Rendered env files (render-env --out) to upload, mode 0600." };
        var command = new Command("deploy", "Roll the bundle out, instance by instance under each deploy lease.")
        {
            bundle, services, imageTag, parallel, maxFailures, noFleetRollback, envDir,
        };
        command.SetAction((result, ct) => new DeployCommand(globals.ContextFor(result)).RunAsync(result.GetValue(bundle)!,
            CommonOptions.Split(result.GetValue(services)), result.GetValue(imageTag), result.GetValue(parallel), result.GetValue(maxFailures),
            !result.GetValue(noFleetRollback), result.GetValue(envDir), ct));
        return command;
    }

    public async Task<int> RunAsync(DirectoryInfo bundleDirectory, IReadOnlyList<string>? services, string? imageTag, int parallel, int maxFailures,
        bool fleetRollback, DirectoryInfo? envDirectory, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(bundleDirectory);
        if (await ReleaseInput.LoadAsync(context, bundleDirectory, services, imageTag, cancellationToken).ConfigureAwait(false) is not { } input)
        {
            return DeployerCli.BadInput;
        }

        var (options, release, targets) = input;
        IReadOnlyDictionary<string, byte[]>? envFiles = null;
        if (envDirectory is not null)
        {
            // render-env --out writes the instance's files under instance/env/, one per service the bundle declares.
            var instanceEnv = new DirectoryInfo(Path.Combine(envDirectory.FullName, EnvRenderer.InstanceEnvDirectory));
            if (release.EnvFiles.FirstOrDefault(e => !File.Exists(Path.Combine(instanceEnv.FullName, e.FileName))) is { } absent)
            {
                return context.Fail($"{envDirectory.FullName} has no {EnvRenderer.InstanceEnvDirectory}/{absent.FileName}: "
                    + $"run render-env --bundle {bundleDirectory.FullName} --out {envDirectory.FullName} first.");
            }

            envFiles = instanceEnv.EnumerateFiles("*.env").ToDictionary(f => f.Name, f => File.ReadAllBytes(f.FullName), StringComparer.Ordinal);
            // A remote error could echo a value from these files: reports never show one.
            context.RedactSecretsOf(envFiles.Values);
        }

        if (parallel < 1 || maxFailures < 0)
        {
            return context.Fail("--parallel must be at least 1 and --max-failures at least 0.");
        }

        var request = new RolloutRequest { Services = services, ImageTag = imageTag, EnvFiles = envFiles };
        var report = await ProgressDisplay.RunAsync(context, targets, progress => RecordedOperations.DeployAsync(new FleetRollout(options, progress),
            options, targets, release, request, parallel, maxFailures, fleetRollback, cancellationToken)).ConfigureAwait(false);
        return ReportPrinter.Print(context, report);
    }
}
