using System.Text.RegularExpressions;
using BuzzTalk.Discovery.Gcp;
using Microsoft.Extensions.Options;

namespace BuzzTalk.Discovery.Configuration;

/// <summary>
/// Every rule of <see cref="DiscoveryOptions"/>, all errors reported at once at start-up. Written
/// out rather than as data annotations, whose range checks are not Native AOT safe.
/// </summary>
public sealed partial class ValidateDiscoveryOptions : IValidateOptions<DiscoveryOptions>
{
    public ValidateOptionsResult Validate(string? name, DiscoveryOptions options)
    {
        var errors = new List<string>();
        Range(errors, "Discovery:RefreshInterval", options.RefreshInterval, TimeSpan.FromSeconds(1), TimeSpan.FromDays(1));
        Range(errors, "Discovery:UnhealthyAfterFailures", options.UnhealthyAfterFailures, 1, 1000);
        Range(errors, "Discovery:RefreshTimeout", options.RefreshTimeout, TimeSpan.FromMilliseconds(100), TimeSpan.FromHours(1));
        if (options.StateDirectory is { Length: > 0 } state && !Path.IsPathFullyQualified(state))
        {
            errors.Add($"Discovery:StateDirectory: '{state}' must be an absolute path.");
        }

        switch (options.Provider)
        {
            case InstanceProviderKind.File when string.IsNullOrWhiteSpace(options.InstancesFile):
                errors.Add("Discovery:InstancesFile is required for the File provider.");
                break;
            case InstanceProviderKind.Gcp:
                ValidateGcp(options.Gcp, errors);
                break;
        }

        foreach (var (job, port) in options.JobPorts)
        {
            if (!JobName().IsMatch(job))
            {
                errors.Add($"Discovery:JobPorts: job name '{job}' must be 1-64 of [A-Za-z0-9_-].");
            }

            if (port is < 1 or > 65535)
            {
                errors.Add($"Discovery:JobPorts:{job}: port {port} is outside 1-65535.");
            }
        }

        foreach (var path in new[] { options.FileSd.JsonPath, options.FileSd.YamlPath })
        {
            if (path is not null && !Path.IsPathFullyQualified(path))
            {
                errors.Add($"Discovery:FileSd: '{path}' must be an absolute path.");
            }
        }

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }

    private static void ValidateGcp(GcpOptions gcp, List<string> errors)
    {
        if (!ProjectId().IsMatch(gcp.ProjectId))
        {
            errors.Add("Discovery:Gcp:ProjectId must be a GCP project id (6-30 of [a-z0-9-], starting with a letter).");
        }

        if (gcp.ManagedInstanceGroup is not null)
        {
            if (!ResourceName().IsMatch(gcp.ManagedInstanceGroup))
            {
                errors.Add("Discovery:Gcp:ManagedInstanceGroup must be a GCP resource name.");
            }

            if (gcp.Region is null || !ResourceName().IsMatch(gcp.Region))
            {
                errors.Add("Discovery:Gcp:Region is required with ManagedInstanceGroup.");
            }
        }

        if (gcp.Credentials == GcpCredentialKind.ServiceAccountKeyFile && string.IsNullOrWhiteSpace(gcp.KeyFile))
        {
            errors.Add("Discovery:Gcp:KeyFile is required for ServiceAccountKeyFile credentials.");
        }

        Range(errors, "Discovery:Gcp:PageSize", gcp.PageSize, 1, 500);
        Range(errors, "Discovery:Gcp:CallTimeout", gcp.CallTimeout, TimeSpan.FromMilliseconds(100), TimeSpan.FromMinutes(5));
        Range(errors, "Discovery:Gcp:MaxRetries", gcp.MaxRetries, 0, 10);
        Range(errors, "Discovery:Gcp:RetryDelay", gcp.RetryDelay, TimeSpan.FromMilliseconds(1), TimeSpan.FromMinutes(1));
        Range(errors, "Discovery:Gcp:MaxParallelCalls", gcp.MaxParallelCalls, 1, 64);
        if (gcp.PreemptionPollInterval != TimeSpan.Zero
            && (gcp.PreemptionPollInterval < TimeSpan.FromMilliseconds(100) || gcp.PreemptionPollInterval > TimeSpan.FromHours(1)))
        {
            errors.Add($"Discovery:Gcp:PreemptionPollInterval is {gcp.PreemptionPollInterval}; it must be between 00:00:00.1 and 01:00:00, or 00:00:00 to turn the preemption watch off.");
        }

        foreach (var key in gcp.MetadataKeys)
        {
            if (!MetadataKey().IsMatch(key ?? ""))
            {
                errors.Add($"Discovery:Gcp:MetadataKeys: '{key}' is not a metadata key (1-128 of [A-Za-z0-9_-]).");
            }
            else if (GceLabelNames.IsSecretMetadataKey(key!))
            {
                errors.Add($"Discovery:Gcp:MetadataKeys: '{key}' holds scripts or keys and is never published.");
            }
        }

        if (!gcp.ApiBaseUrl.IsAbsoluteUri || !gcp.ApiBaseUrl.AbsolutePath.EndsWith('/'))
        {
            errors.Add("Discovery:Gcp:ApiBaseUrl must be an absolute URL ending with '/'.");
        }
    }

    internal static void Range<T>(List<string> errors, string name, T value, T min, T max)
        where T : IComparable<T>
    {
        if (value.CompareTo(min) < 0 || value.CompareTo(max) > 0)
        {
            errors.Add($"{name} is {value}; it must be between {min} and {max}.");
        }
    }

    [GeneratedRegex("^[a-z][a-z0-9-]{4,28}[a-z0-9]$")]
    private static partial Regex ProjectId();

    [GeneratedRegex("^[a-z]([-a-z0-9]{0,61}[a-z0-9])?$")]
    private static partial Regex ResourceName();

    [GeneratedRegex("^[A-Za-z0-9_-]{1,64}$")]
    private static partial Regex JobName();

    [GeneratedRegex("^[A-Za-z0-9_-]{1,128}$")]
    private static partial Regex MetadataKey();
}
