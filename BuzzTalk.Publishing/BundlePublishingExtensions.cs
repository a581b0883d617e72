#pragma warning disable ASPIREPIPELINES001 // builder.Pipeline is experimental in Aspire 13.6
#pragma warning disable ASPIREPIPELINES004 // IPipelineOutputService too

using System.Diagnostics;
using System.Globalization;
using Aspire.Hosting.Pipelines;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace BuzzTalk.Publishing;

/// <summary>Adds the <c>buzztalk-bundle</c> publish step: the deployable bundle for the GCP spot group.</summary>
public static class BundlePublishingExtensions
{
    public const string StepName = "buzztalk-bundle";

    // Aspire's own step that writes aspire-manifest.json (not part of `publish` by itself).
    public const string ManifestStepName = "publish-manifest";

    /// <summary>
    /// Adds the publish step; <paramref name="settings"/> reads the publish inputs (the app's
    /// services from the model, and the fleet's own settings) when the step runs.
    /// </summary>
    public static IDistributedApplicationBuilder AddSpotFleetBundle(this IDistributedApplicationBuilder builder,
        Func<IEnumerable<IResource>, CancellationToken, Task<PublishSettings>> settings)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(settings);
        var outcome = new PublishOutcome();
        builder.Services.AddSingleton(outcome);
#pragma warning disable ASPIREPIPELINES002 // experimental interface
        builder.Services.AddSingleton<IDeploymentStateManager, InMemoryDeploymentState>();
#pragma warning restore ASPIREPIPELINES002
        var repositoryRoot = Path.GetFullPath(Path.Combine(builder.AppHostDirectory, ".."));

        builder.Pipeline.AddStep(StepName, async context =>
        {
            var started = Stopwatch.GetTimestamp();
            var task = await context.ReportingStep.CreateTaskAsync("Writing the deployment bundle", context.CancellationToken).ConfigureAwait(false);
            try
            {
                var directory = context.Services.GetRequiredService<IPipelineOutputService>().GetOutputDirectory();
                var files = BundleComposer.Compose(await settings(context.Model.Resources, context.CancellationToken).ConfigureAwait(false));
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
        }, dependsOn: new[] { WellKnownPipelineSteps.PublishPrereq, ManifestStepName }, requiredBy: WellKnownPipelineSteps.Publish);
        return builder;
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
            var deploy = app.Services.GetRequiredService<SpotFleet.DeployOutcome>();
            if (deploy.ExitCode is { } code)
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

        var outcome = app.Services.GetRequiredService<PublishOutcome>();
        if (outcome.Completed)
        {
            return 0;
        }

        Console.Error.WriteLine(outcome.Failure is { } reason
            ? $"Publish failed: {reason}"
            : "Publish failed: the bundle step did not complete (see the pipeline output above).");
        return 1;
    }
}
