using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using BuzzTalk.Deployer.Configuration;
using BuzzTalk.Deployer.Releases;
using BuzzTalk.Deployer.Rollout;
using Spectre.Console;

namespace BuzzTalk.Deployer.Cli;

/// <summary>
/// <c>status</c> (services, images, replicas, releases, drift from the desired release) and
/// <c>lease status</c> (who holds each instance's deploy lease); read only.
/// </summary>
public sealed class StatusCommand(CommandContext context)
{
    public static Command Create(GlobalOptions globals, bool leaseOnly)
    {
        ArgumentNullException.ThrowIfNull(globals);
        var command = leaseOnly
            ? new Command("status", "Who holds each instance's deploy lease.")
            : new Command("status", "Services, images, replicas, lease and release of each instance.");
        command.SetAction((result, ct) => new StatusCommand(globals.ContextFor(result)).RunAsync(leaseOnly, ct));
        return command;
    }

    public async Task<int> RunAsync(bool leaseOnly, CancellationToken cancellationToken)
    {
        if (await context.LoadFleetAsync(cancellationToken).ConfigureAwait(false) is not { } fleet)
        {
            return DeployerCli.BadInput;
        }

        var (options, targets) = fleet;
        var (statuses, desired, recordError) = await RecordedOperations.StatusAsync(new FleetRollout(options), options, targets,
            CommandContext.DefaultStack, cancellationToken).ConfigureAwait(false);
        if (recordError is not null)
        {
            await context.Error.WriteLineAsync($"warning: {recordError}").ConfigureAwait(false);
        }

        if (context.Format == OutputFormat.Json)
        {
            await context.Out.WriteLineAsync(JsonSerializer.Serialize(statuses.ToList(), DeployerJsonContext.Default.ListInstanceStatus)).ConfigureAwait(false);
        }
        else
        {
            Show(statuses, leaseOnly, options, desired);
        }

        // Drift fails the command like an unreachable instance, so a script or CI step can check it.
        return statuses.All(s => s.Outcome == InstanceOutcome.Inspected && s.Drift is null) && recordError is null
            ? DeployerCli.Success : DeployerCli.InstanceFailed;
    }

    private void Show(IReadOnlyList<InstanceStatus> statuses, bool leaseOnly, DeployerOptions options, DesiredRelease? desired)
    {
        var console = context.Console;
        var table = new Table().AddColumns("instance", leaseOnly ? "lease" : "service", leaseOnly ? "until" : "image", leaseOnly ? "operation" : "replicas", "state");
        foreach (var status in statuses)
        {
            var lease = status.Lease is { Held: true } held ? $"held by {held.Holder}" : "free";
            if (leaseOnly || status.Services.Count == 0)
            {
                table.AddRow(Markup.Escape(status.Instance), Markup.Escape(leaseOnly ? lease : "-"),
                    Markup.Escape(status.Lease is { Held: true } l ? $"{l.Expires:u}" : "-"), Markup.Escape(status.Lease?.Operation ?? "-"), Markup.Escape(status.Message));
                continue;
            }

            foreach (var service in status.Services)
            {
                table.AddRow(Markup.Escape(status.Instance), Markup.Escape(service.Name), Markup.Escape(service.Image),
                    $"{service.Running}/{service.Desired?.ToString(CultureInfo.InvariantCulture) ?? "global"}",
                    Markup.Escape($"{service.UpdateState ?? "-"}; release {status.CurrentRelease ?? "none"}; lease {lease}"));
            }
        }

        console.Write(table);
        if (leaseOnly)
        {
            return;
        }

        foreach (var status in statuses.Where(s => s.History.Count > 0))
        {
            // What ran, when, who: what a rollback goes back to is the line before the last.
            console.MarkupLineInterpolated($"{status.Instance} releases, oldest first:");
            foreach (var entry in status.History)
            {
                console.MarkupLineInterpolated($"  {entry.RecordedAt:u} {entry.Operation} {entry.Describe()} by {entry.RecordedBy ?? "?"}");
            }
        }

        if (options.Release.Enabled)
        {
            console.MarkupLineInterpolated($"desired release: {desired?.Describe() ?? "none recorded yet"}");
            foreach (var status in statuses)
            {
                if (status.Drift is { } drift)
                {
                    console.MarkupLineInterpolated($"  {status.Instance}: [red]drift[/]: {drift}");
                }
                else
                {
                    console.MarkupLineInterpolated($"  {status.Instance}: [green]on the desired release[/] ({status.Running?.Describe() ?? "no recorded release"})");
                }
            }
        }
    }
}
