using System.CommandLine;
using BuzzTalk.Deployer.Releases;
using BuzzTalk.Deployer.Rollout;

namespace BuzzTalk.Deployer.Cli;

/// <summary><c>rollback</c>: each instance back to the release it ran before its last one, as its history records it.</summary>
public sealed class RollbackCommand(CommandContext context)
{
    public static Command Create(GlobalOptions globals)
    {
        ArgumentNullException.ThrowIfNull(globals);
        var services = CommonOptions.Services();
        var parallel = CommonOptions.Parallel();
        var maxFailures = CommonOptions.MaxFailures();
        var command = new Command("rollback", "Roll services back to the release each instance ran before its last one (its recorded history).")
        {
            services, parallel, maxFailures,
        };
        command.SetAction((result, ct) => new RollbackCommand(globals.ContextFor(result))
            .RunAsync(CommonOptions.Split(result.GetValue(services)), result.GetValue(parallel), result.GetValue(maxFailures), ct));
        return command;
    }

    public async Task<int> RunAsync(IReadOnlyList<string>? services, int parallel, int maxFailures, CancellationToken cancellationToken)
    {
        if (await context.LoadFleetAsync(cancellationToken).ConfigureAwait(false) is not { } fleet)
        {
            return DeployerCli.BadInput;
        }

        var (options, targets) = fleet;

        var holder = new RolloutRequest().Holder;
        var report = await ProgressDisplay.RunAsync(context, targets, progress => RecordedOperations.RollbackAsync(new FleetRollout(options, progress),
            options, targets, CommandContext.DefaultStack, services, holder, parallel, maxFailures, cancellationToken)).ConfigureAwait(false);
        return ReportPrinter.Print(context, report);
    }
}
