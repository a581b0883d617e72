using BuzzTalk.Deployer.Configuration;
using BuzzTalk.Deployer.Rollout;
using Spectre.Console;

namespace BuzzTalk.Deployer.Cli;

/// <summary>
/// Each instance's steps while an operation runs, redacted: to the caller's own display when it
/// has one; a live Spectre display, one line per instance, for people at a terminal; otherwise
/// (CI logs, <c>--output json</c>) a plain line per step on stderr, so stdout stays the report.
/// </summary>
public static class ProgressDisplay
{
    public static async Task<FleetReport> RunAsync(CommandContext context, IReadOnlyList<DeployTarget> targets,
        Func<Action<DeployTarget, string>, Task<FleetReport>> run)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(targets);
        ArgumentNullException.ThrowIfNull(run);
        if (context.Progress is { } progress)
        {
            return await run((target, step) => progress(target.Name, context.Redact(step))).ConfigureAwait(false);
        }

        if (context.Format == OutputFormat.Json || context.Error != Console.Error || Console.IsErrorRedirected)
        {
            return await run((target, step) =>
            {
                lock (context.Error)
                {
                    context.Error.WriteLine($"[{target.Name}] {context.Redact(step)}");
                }
            }).ConfigureAwait(false);
        }

        var console = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(Console.Error) });
        FleetReport? report = null;
        await console.Progress().AutoClear(false)
            .Columns(new TaskDescriptionColumn { Alignment = Justify.Left }, new SpinnerColumn(), new ElapsedTimeColumn())
            .StartAsync(async display =>
            {
                var tasks = targets.ToDictionary(t => t.Name, t => display.AddTask(Markup.Escape($"{t.Name}: waiting"), maxValue: 1));
                report = await run((target, step) =>
                {
                    var task = tasks[target.Name];
                    task.Description = Markup.Escape($"{target.Name}: {context.Redact(step)}");
                    if (step.StartsWith("lease released", StringComparison.Ordinal) || step.StartsWith("lease not released", StringComparison.Ordinal))
                    {
                        task.Value = 1;
                        task.StopTask();
                    }
                }).ConfigureAwait(false);
                foreach (var task in tasks.Values)
                {
                    task.StopTask();
                }
            }).ConfigureAwait(false);
        return report!;
    }
}
