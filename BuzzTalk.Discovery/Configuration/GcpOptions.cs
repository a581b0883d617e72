namespace BuzzTalk.Discovery.Configuration;

/// <summary>Section <c>Discovery:Gcp</c>.</summary>
public sealed class GcpOptions
{
    public const string DefaultApiBaseUrl = "https://compute.googleapis.com/compute/v1/";
    /// <summary>Google's OAuth2 token endpoint, for key files without <c>token_uri</c>.</summary>
    public const string DefaultTokenUri = "https://oauth2.googleapis.com/token";
    public const string ComputeReadOnlyScope = "https://www.googleapis.com/auth/compute.readonly";

    public string ProjectId { get; set; } = "";

    /// <summary>With <see cref="ManagedInstanceGroup"/>: the group's region. Otherwise unused.</summary>
    public string? Region { get; set; }

    /// <summary>A regional managed instance group to list; unset lists the whole project.</summary>
    public string? ManagedInstanceGroup { get; set; }

    public GcpCredentialKind Credentials { get; set; } = GcpCredentialKind.ApplicationDefault;

    /// <summary>The service-account key file for <see cref="GcpCredentialKind.ServiceAccountKeyFile"/>.</summary>
    public string? KeyFile { get; set; }

    /// <summary>Compute API base URL (tests point it at a local fake). Ends with a slash.</summary>
    public Uri ApiBaseUrl { get; set; } = new(DefaultApiBaseUrl);

    /// <summary>Overrides the key file's <c>token_uri</c>.</summary>
    public Uri? TokenUri { get; set; }

    /// <summary>Overrides the metadata server's token URL for <see cref="GcpCredentialKind.MetadataServer"/>.</summary>
    public Uri? MetadataTokenUri { get; set; }

    /// <summary>Page size of list calls (Compute allows 1-500). Default 500.</summary>
    public int PageSize { get; set; } = 500;

    /// <summary>Timeout of one HTTP attempt. Default 10 s.</summary>
    public TimeSpan CallTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Retries of a call answered 429/5xx or timed out, with exponential backoff and jitter. Default 3.</summary>
    public int MaxRetries { get; set; } = 3;

    /// <summary>First retry delay; later ones grow exponentially. Default 1 s.</summary>
    public TimeSpan RetryDelay { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>
    /// Instance metadata keys published as <c>__meta_gce_metadata_&lt;key&gt;</c> labels (e.g. <c>prometheus-port</c>).
    /// Empty by default: unlike Prometheus' gce_sd, no metadata is published unless named here, and
    /// <c>startup-script</c>, <c>ssh-keys</c> and the other keys that hold scripts or keys are refused.
    /// </summary>
    public List<string> MetadataKeys { get; set; } = [];

    /// <summary>Instance details fetched at once for a managed group. Default 8.</summary>
    public int MaxParallelCalls { get; set; } = 8;

    /// <summary>
    /// How often the preemption watch lists <c>compute.instances.preempted</c> operations, so a preempted spot instance
    /// leaves the inventory within about this long instead of at the next refresh; one Compute call per poll while the
    /// operations fit one page. Default 5 s; <c>00:00:00</c> turns the watch off.
    /// </summary>
    public TimeSpan PreemptionPollInterval { get; set; } = TimeSpan.FromSeconds(5);
}
