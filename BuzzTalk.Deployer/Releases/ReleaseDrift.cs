using BuzzTalk.Deployer.Rollout;

namespace BuzzTalk.Deployer.Releases;

/// <summary>Whether an instance runs the desired release, and if not, why not, in words.</summary>
public static class ReleaseDrift
{
    /// <summary>The status with <see cref="InstanceStatus.DesiredRevision"/> and <see cref="InstanceStatus.Drift"/> filled in.</summary>
    public static InstanceStatus Against(InstanceStatus status, DesiredRelease? desired)
    {
        ArgumentNullException.ThrowIfNull(status);
        if (desired is null)
        {
            return status;
        }

        return status with { DesiredRevision = desired.Revision, Drift = Describe(status, desired) };
    }

    private static string? Describe(InstanceStatus status, DesiredRelease desired)
    {
        if (status.Outcome != InstanceOutcome.Inspected)
        {
            return $"unknown: {status.Message}";
        }

        if (status.Running is not { } running)
        {
            return "runs no recorded release: waiting for its first boot or deploy";
        }

        if (running.Release != desired.Release)
        {
            return $"runs release {running.Release} (r{running.Revision}), desired {desired.Release} (r{desired.Revision})";
        }

        if (running.EnvSha256 != desired.EnvSha256)
        {
            return $"runs the env files of r{running.Revision}, desired those of r{desired.Revision}";
        }

        // What swarm really runs, not only what the record says: a service rolled back by swarm or
        // updated by hand shows here.
        var images = status.Services.ToDictionary(s => s.Name, s => s.Image, StringComparer.Ordinal);
        foreach (var (service, wanted) in desired.Services.OrderBy(s => s.Key, StringComparer.Ordinal))
        {
            var name = $"{status.Stack}_{service}";
            if (!images.TryGetValue(name, out var image))
            {
                return $"{service} is not running, desired {wanted.Image}";
            }

            if (image != wanted.Image)
            {
                return $"{service} runs {image}, desired {wanted.Image}";
            }
        }

        return null;
    }
}
