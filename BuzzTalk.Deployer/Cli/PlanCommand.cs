using System.CommandLine;
using System.Text.Json;
using BuzzTalk.Deployer.Rollout;
using Spectre.Console;

namespace BuzzTalk.Deployer.Cli;

/// <summary><c>plan</c>: what a deploy would change on each instance; read only.</summary>
public sealed class PlanCommand(CommandContext context)
{
    public static Command Create(GlobalOptions globals)
    {
        ArgumentNullException.ThrowIfNull(globals);
        var bundle = CommonOptions.Bundle();
        var services = CommonOptions.Services();
        var imageTag = CommonOptions.ImageTag();
        var command = new Command("plan", "What a deploy would change on each instance; nothing is changed.") { bundle, services, imageTag };
        command.SetAction((result, ct) => new PlanCommand(globals.ContextFor(result))
            .RunAsync(result.GetValue(bundle)!, CommonOptions.Split(result.GetValue(services)), result.GetValue(imageTag), ct));
        return command;
    }

    public async Task<int> RunAsync(DirectoryInfo bundleDirectory, IReadOnlyList<string>? services, string? imageTag, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(bundleDirectory);
        if (await ReleaseInput.LoadAsync(context, bundleDirectory, services, imageTag, cancellationToken).ConfigureAwait(false) is not { } input)
        {
            return DeployerCli.BadInput;
        }

        var (options, release, targets) = input;
        var request = new RolloutRequest { Services = services, ImageTag = imageTag };
        var plans = await new FleetRollout(options).ForEachAsync(targets, release.StackName, parallel: 4, maxFailures: int.MaxValue - 1,
            (instance, ct) => instance.Inspector().PlanAsync(release, request, ct), p => p.Outcome == InstanceOutcome.Inspected,
            (t, outcome, message, _) => new InstancePlan(t.Name, t.Host, outcome, message), cancellationToken).ConfigureAwait(false);
        if (context.Format == OutputFormat.Json)
        {
            await context.Out.WriteLineAsync(JsonSerializer.Serialize(plans.ToList(), DeployerJsonContext.Default.ListInstancePlan)).ConfigureAwait(false);
        }
        else
        {
            Show(plans);
        }

        return plans.All(p => p.Outcome == InstanceOutcome.Inspected) ? DeployerCli.Success : DeployerCli.InstanceFailed;
    }

    private void Show(IEnumerable<InstancePlan> plans)
    {
        var console = context.Console;
        foreach (var plan in plans)
        {
            console.MarkupLineInterpolated($"[bold]{plan.Instance}[/] ({plan.Host}): {plan.Message}; release {plan.CurrentRelease ?? "none"} -> {plan.NewRelease}");
            foreach (var image in plan.Images)
            {
                console.MarkupLineInterpolated($"  {image.Service}: {image.Running ?? "(not running)"} -> [green]{image.Planned}[/]");
            }

            foreach (var line in plan.StackDiff)
            {
                console.MarkupLineInterpolated($"  [{(line.StartsWith('+') ? "green" : "red")}]{line}[/]");
            }

            if (plan.LeaseHeld)
            {
                console.MarkupLine("  [yellow]a deploy lease is held right now[/]");
            }
        }
    }
}
