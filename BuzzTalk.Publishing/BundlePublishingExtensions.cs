#pragma warning disable ASPIREPIPELINES001 // builder.Pipeline is experimental in Aspire 13.6
#pragma warning disable ASPIREPIPELINES004 // IPipelineOutputService too

using System.Diagnostics;
using System.Globalization;
using Aspire.Hosting.Pipelines;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace BuzzTalk.Publishing;

/// <summary>The spot fleet's <c>buzztalk-bundle</c> publish step (the deployable bundle for the GCP spot group), and the AppHost's exit code.</summary>
public static class BundlePublishingExtensions
{
    public const string StepName = "buzztalk-bundle";

    // Aspire's own step that writes aspire-manifest.json (not part of `publish` by itself).
    public const string ManifestStepName = "publish-manifest";

    /// <summary>
    /// The spot fleet's publish step: <paramref name="fleet"/>'s settings read the publish inputs
    /// (its services from the model, and its own settings) when the step runs.
    /// </summary>
    internal static PipelineStep CreateStep(SpotFleet.SpotFleetResource fleet, string repositoryRoot)
    {
        var step = new PipelineStep
        {
            Name = StepName,
            Description = $"Writes the deployment bundle of the spot fleet '{fleet.Name}'.",
            Action = async context =>
            {
                var outcome = context.Services.GetRequiredService<PublishOutcome>();
                var started = Stopwatch.GetTimestamp();
                var task = await context.ReportingStep.CreateTaskAsync("Writing the deployment bundle", context.CancellationToken).ConfigureAwait(false);
                try
                {
                    var directory = context.Services.GetRequiredService<IPipelineOutputService>().GetOutputDirectory();
                    var settings = await fleet.Settings(fleet, context.Model.Resources, context.CancellationToken).ConfigureAwait(false);
                    var files = BundleComposer.Compose(settings);
                    await BundleWriter.WriteAsync(directory, files, context.CancellationToken).ConfigureAwait(false);

                    var manifest = Path.Combine(directory, BundleReadme.ManifestPath);
                    if (File.Exists(manifest))
                    {
                        await PortableManifest.RewriteAsync(manifest, repositoryRoot, context.CancellationToken).ConfigureAwait(false);
                    }

                    var elapsed = Stopwatch.GetElapsedTime(started);
                    var summary = string.Create(CultureInfo.InvariantCulture, $"{files.Count + 1} files in {directory} ({elapsed.TotalMilliseconds:0} ms)");
                    context.Summary.Add("Bundle", summary);
                    await task.SucceedAsync(summary, context.CancellationToken).ConfigureAwait(false);
                    outcome.Succeed();
                }
                catch (Exception ex) when (ex is InvalidOperationException or IOException or UnauthorizedAccessException)
                {
                    outcome.Fail(ex.Message);
                    context.Logger.LogError("Publishing the bundle failed: {Reason}", ex.Message);
                    await task.FailAsync(ex.Message, context.CancellationToken).ConfigureAwait(false);
                    throw;
                }
            },
        };
        step.DependsOn(WellKnownPipelineSteps.PublishPrereq);
        step.DependsOn(ManifestStepName);
        step.RequiredBy(WellKnownPipelineSteps.Publish);
        return step;
    }

    /// <summary>
    /// The process exit code after the app ran: in publish mode, non-zero unless the bundle step
    /// completed (a direct publish run otherwise exits 0 when a step failed).
    /// </summary>
    public static int ExitCode(DistributedApplication app, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(app);
        ArgumentNullException.ThrowIfNull(configuration);
        var execution = app.Services.GetRequiredService<DistributedApplicationExecutionContext>();
        var step = configuration["Pipeline:Step"];
        if (execution.IsPublishMode && step is "deploy" or SpotFleet.SpotFleetDeployStep.StepName)
        {
            // The Deployer's own exit code: 1 an instance failed, 2 bad input, 3 the lease was held.
            var deploy = app.Services.GetService<SpotFleet.DeployOutcome>();
            if (deploy?.ExitCode is { } code)
            {
                if (code != 0)
                {
                    Console.Error.WriteLine($"Deploy failed (exit {code.ToString(CultureInfo.InvariantCulture)}): {deploy.Summary}");
                }

                return code;
            }
        }

        if (!execution.IsPublishMode || step is not (null or "publish" or "deploy" or StepName or SpotFleet.SpotFleetDeployStep.StepName))
        {
            return 0;
        }

        // A model without a spot fleet has no bundle step to wait for.
        var outcome = app.Services.GetService<PublishOutcome>();
        if (outcome is null || outcome.Completed)
        {
            return 0;
        }

        Console.Error.WriteLine(outcome.Failure is { } reason
            ? $"Publish failed: {reason}"
            : "Publish failed: the bundle step did not complete (see the pipeline output above).");
        return 1;
    }
}
