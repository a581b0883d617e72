using BuzzTalk.Deployer.Bundle;
using BuzzTalk.Deployer.Configuration;
using BuzzTalk.Deployer.Rollout;
using BuzzTalk.Fleet.Swarm;

namespace BuzzTalk.Deployer.Cli;

/// <summary>What plan and deploy read before they touch an instance: settings, the bundle as a release, the instances.</summary>
internal sealed record ReleaseInput(DeployerOptions Options, ReleaseContent Release, IReadOnlyList<DeployTarget> Targets)
{
    /// <summary>The input, or null after printing why it is refused (nothing is changed anywhere).</summary>
    public static async Task<ReleaseInput?> LoadAsync(CommandContext context, DirectoryInfo bundleDirectory, IReadOnlyList<string>? services,
        string? imageTag, CancellationToken cancellationToken)
    {
        if (context.LoadOptions() is not { } options)
        {
            return null;
        }

        ReleaseContent release;
        try
        {
            var bundle = DeployBundle.Load(bundleDirectory.FullName);
            if (services is not null)
            {
                bundle.ServicesNamed(services);
            }

            release = ReleaseContent.From(bundle);
        }
        catch (BundleInvalidException ex)
        {
            context.Fail(ex.Message);
            return null;
        }

        if (imageTag is not null && !SwarmNames.IsImageTag(imageTag))
        {
            context.Fail($"--image-tag '{imageTag}' is not a valid tag ([A-Za-z0-9_][A-Za-z0-9_.-], up to 128).");
            return null;
        }

        return await context.TargetsAsync(options, cancellationToken).ConfigureAwait(false) is { } targets ? new(options, release, targets) : null;
    }
}
