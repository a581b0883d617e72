using System.CommandLine;
using BuzzTalk.Deployer.Rollout;

namespace BuzzTalk.Deployer.Cli;

/// <summary><c>lease release --force</c>: removes a stuck lease; its holder stops at its next renewal.</summary>
public sealed class LeaseReleaseCommand(CommandContext context)
{
    public static Command Create(GlobalOptions globals)
    {
        ArgumentNullException.ThrowIfNull(globals);
        var force = new Option<bool>("--force") { Description = "Remove the lease whoever holds it.", Required = true };
        var command = new Command("release", "Remove a stuck lease (its holder stops at its next renewal).") { force };
        command.SetAction((result, ct) => new LeaseReleaseCommand(globals.ContextFor(result)).RunAsync(ct));
        return command;
    }

    public async Task<int> RunAsync(CancellationToken cancellationToken)
    {
        if (await context.LoadFleetAsync(cancellationToken).ConfigureAwait(false) is not { } fleet)
        {
            return DeployerCli.BadInput;
        }

        var (options, targets) = fleet;
        var reports = await new FleetRollout(options).RunAsync("lease release", targets, CommandContext.DefaultStack, parallel: 4, maxFailures: int.MaxValue - 1,
            async (instance, ct) =>
            {
                var was = await instance.ForceReleaseLeaseAsync(ct).ConfigureAwait(false);
                return new InstanceReport(instance.Target.Name, instance.Target.Host, InstanceOutcome.LeaseReleased,
                    was is { IsHeld: true } ? $"released the lease of {was.Holder} ({was.Operation})" : "no lease was held", [], 0);
            }, cancellationToken).ConfigureAwait(false);
        return ReportPrinter.Print(context, reports);
    }
}
