using System.Globalization;
using System.Text.Json;
using BuzzTalk.Deployer.Rollout;
using Spectre.Console;

namespace BuzzTalk.Deployer.Cli;

/// <summary>A fleet report as a table for people or JSON for scripts, redacted, and the exit code it means.</summary>
public static class ReportPrinter
{
    public static int Print(CommandContext context, FleetReport report)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(report);
        report = report with
        {
            Instances = [.. report.Instances.Select(i => i with { Message = context.Redact(i.Message), Steps = [.. i.Steps.Select(context.Redact)] })],
        };
        if (context.Format == OutputFormat.Json)
        {
            context.Out.WriteLine(JsonSerializer.Serialize(report, DeployerJsonContext.Default.FleetReport));
            return ExitCode(report);
        }

        var console = context.Console;
        var table = new Table().AddColumns("instance", "host", "outcome", "seconds", "detail");
        foreach (var i in report.Instances)
        {
            var color = i.Succeeded ? "green" : i.Outcome is InstanceOutcome.Skipped or InstanceOutcome.Gone ? "grey" : "red";
            table.AddRow(Markup.Escape(i.Instance), Markup.Escape(i.Host), $"[{color}]{i.Outcome}[/]",
                i.Seconds.ToString("0.0", CultureInfo.InvariantCulture), Markup.Escape(i.Message));
        }

        console.Write(table);
        console.MarkupLineInterpolated($"{report.Operation}: {report.Instances.Count(i => i.Succeeded)} of {report.Instances.Count} instance(s) succeeded in {report.Seconds:0.0} s");
        if (report.FleetRollbackSeconds is { } back)
        {
            console.MarkupLineInterpolated($"[yellow]fleet rollback: the updated instances went back to their previous release ({back:0.0} s)[/]");
        }

        if (report.Record is { } record)
        {
            console.MarkupLineInterpolated($"{record}");
        }

        if (report.RecordError is { } error)
        {
            console.MarkupLineInterpolated($"[red]{error}[/]");
        }

        return ExitCode(report);
    }

    /// <summary>0 done; 3 when the only failures are leases another holder kept (nothing changed there: try again later); else 1.</summary>
    public static int ExitCode(FleetReport report)
    {
        ArgumentNullException.ThrowIfNull(report);
        if (report.Succeeded)
        {
            return DeployerCli.Success;
        }

        var failed = report.Instances.Where(i => !i.Succeeded && i.Outcome is not (InstanceOutcome.Skipped or InstanceOutcome.Gone)).ToList();
        return failed.Count > 0 && failed.All(i => i.Outcome == InstanceOutcome.LeaseBusy) ? DeployerCli.LeaseBusy : DeployerCli.InstanceFailed;
    }
}
