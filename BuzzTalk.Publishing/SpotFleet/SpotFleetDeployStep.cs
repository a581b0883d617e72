#pragma warning disable ASPIREPIPELINES001 // builder.Pipeline is experimental in Aspire 13.6
#pragma warning disable ASPIREPIPELINES004 // IPipelineOutputService too

using System.Globalization;
using System.Text.Json;
using Aspire.Hosting.Pipelines;
using BuzzTalk.Deployer.Bundle;
using BuzzTalk.Deployer;
using BuzzTalk.Deployer.Cli;
using BuzzTalk.Deployer.Env;
using BuzzTalk.Deployer.Rollout;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace BuzzTalk.Publishing.SpotFleet;

/// <summary>
/// <c>aspire deploy</c>: after the bundle step, the Deployer rolls the bundle out to the fleet's
/// instances, in this process, with its own settings file, lease, health gate and rollbacks. Each
/// instance is a task of the pipeline step, updated with the Deployer's progress; the step fails
/// when the Deployer's exit code is not 0, and the AppHost exits with that code.
/// </summary>
public static class SpotFleetDeployStep
{
    public const string StepName = "buzztalk-deploy";

    /// <summary>The fleet's deploy step, with its <see cref="SpotFleetResource.Deploy"/> options; a relative settings path is taken from <paramref name="appHostDirectory"/>.</summary>
    internal static PipelineStep CreateStep(SpotFleetResource fleet, string appHostDirectory)
    {
        var step = new PipelineStep
        {
            Name = StepName,
            Description = $"Rolls the bundle out to the spot fleet '{fleet.Name}' with the Deployer.",
            Action = context => DeployAsync(context, fleet, appHostDirectory),
        };
        step.DependsOn(BundlePublishingExtensions.StepName);
        step.DependsOn(WellKnownPipelineSteps.DeployPrereq);
        step.RequiredBy(WellKnownPipelineSteps.Deploy);
        return step;
    }

    private static async Task DeployAsync(PipelineStepContext context, SpotFleetResource fleet, string appHostDirectory)
    {
        var options = fleet.Deploy;
        var outcome = context.Services.GetRequiredService<DeployOutcome>();
        var ct = context.CancellationToken;
        var config = options.Config is { Length: > 0 } configured ? Path.GetFullPath(configured, appHostDirectory) : fleet.LocalDeployerSettings;
        if (config is null || !File.Exists(config))
        {
            var reason = config is null
                ? $"{FleetDeployOptions.SectionName}:Config must name the Deployer's settings file (its --config), or set BuzzTalk:Fleet=local with the local fleet running."
                : $"the Deployer's settings file {config} does not exist" + (options.Config is null ? " (start the local fleet first: it writes it)." : ".");
            outcome.Finish(DeployerCli.BadInput, reason);
            throw new InvalidOperationException(reason);
        }

        var bundle = context.Services.GetRequiredService<IPipelineOutputService>().GetOutputDirectory();
        var progress = new InstanceProgress(context.ReportingStep, ct);
        using var report = new StringWriter(CultureInfo.InvariantCulture);
        using var errors = new StringWriter(CultureInfo.InvariantCulture);
        var deploy = new DeployCommand(new CommandContext(new FileInfo(config), OutputFormat.Json, [], report, errors, progress.Report));
        var rendered = Directory.CreateTempSubdirectory("buzztalk-env-");
        int code;
        try
        {
            code = await RenderEnvAsync(config, bundle, rendered.FullName, ct).ConfigureAwait(false) is { } problem
                ? Refuse(problem)
                : await deploy.RunAsync(new DirectoryInfo(bundle), options.Services?.Split(','), options.ImageTag, options.Parallel,
                    options.MaxFailures, options.FleetRollback, Directory.EnumerateFileSystemEntries(rendered.FullName).Any() ? rendered : null, ct)
                    .ConfigureAwait(false);
        }
        finally
        {
            // Secrets: never left behind.
            rendered.Delete(recursive: true);
        }

        var fleetReport = report.ToString() is { Length: > 0 } json ? JsonSerializer.Deserialize(json, DeployerJsonContext.Default.FleetReport) : null;
        await progress.CompleteAsync(fleetReport).ConfigureAwait(false);
        var summary = fleetReport is null
            ? errors.ToString().Trim()
            : string.Create(CultureInfo.InvariantCulture,
                $"{fleetReport.Instances.Count(i => i.Succeeded)} of {fleetReport.Instances.Count} instance(s) deployed in {fleetReport.Seconds:0.0} s (exit {code})");
        context.Summary.Add("Deploy", summary);
        outcome.Finish(code, summary);
        if (code != DeployerCli.Success)
        {
            context.Logger.LogError("The deploy failed (exit {Code}): {Summary}", code, summary);
            throw new InvalidOperationException($"The deploy failed (exit {code}): {summary}");
        }

        int Refuse(string problem)
        {
            errors.WriteLine(problem);
            return DeployerCli.BadInput;
        }
    }

    /// <summary>The Deployer's <c>EnvFile</c>, rendered for this bundle's services into a private folder; null when fine (or none is set).</summary>
    private static async Task<string?> RenderEnvAsync(string config, string bundle, string output, CancellationToken ct)
    {
        var settings = DeployerCli.LoadOptions(new FileInfo(config));
        if (settings.EnvFile is not { Length: > 0 } envFile)
        {
            return null;
        }

        try
        {
            var published = DeployBundle.Load(bundle);
            await EnvRenderer.WriteAsync(output, EnvFile.Load(envFile), published.EnvFiles, published.Probes, ct).ConfigureAwait(false);
            return null;
        }
        catch (Exception ex) when (ex is EnvFileInvalidException or BundleInvalidException or IOException or UnauthorizedAccessException)
        {
            // The renderer's messages name keys and lines, never values.
            return $"Deployer:EnvFile: {ex.Message}";
        }
    }

    /// <summary>One pipeline task per instance, updated in order as the Deployer reports its steps.</summary>
    private sealed class InstanceProgress(IReportingStep step, CancellationToken ct)
    {
        private readonly Dictionary<string, Task<IReportingTask>> _tasks = new(StringComparer.Ordinal);
        private readonly Lock _gate = new();

        public void Report(string instance, string message)
        {
            var text = $"{instance}: {message}";
            // The task shows the latest step where the console redraws; the log keeps every step (CI, --non-interactive).
            step.Log(LogLevel.Information, text);
            lock (_gate)
            {
                _tasks[instance] = _tasks.TryGetValue(instance, out var previous)
                    ? previous.ContinueWith(async t =>
                    {
                        var task = await t.ConfigureAwait(false);
                        await task.UpdateAsync(text, ct).ConfigureAwait(false);
                        return task;
                    }, ct, TaskContinuationOptions.None, TaskScheduler.Default).Unwrap()
                    : step.CreateTaskAsync(text, ct);
            }
        }

        public async Task CompleteAsync(FleetReport? report)
        {
            foreach (var instance in report?.Instances ?? [])
            {
                Task<IReportingTask> pending;
                lock (_gate)
                {
                    pending = _tasks.TryGetValue(instance.Instance, out var known) ? known : step.CreateTaskAsync(instance.Instance, ct);
                }

                var task = await pending.ConfigureAwait(false);
                var state = instance.Succeeded ? CompletionState.Completed
                    : instance.Outcome is InstanceOutcome.Skipped or InstanceOutcome.Gone ? CompletionState.CompletedWithWarning
                    : CompletionState.CompletedWithError;
                await task.CompleteAsync($"{instance.Instance}: {instance.Outcome} ({instance.Message})", state, ct).ConfigureAwait(false);
            }
        }
    }
}
