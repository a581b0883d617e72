namespace BuzzTalk.Deployer.Configuration;

/// <summary>
/// Section <c>Deployer:Release</c>: where the desired release is recorded so that booting
/// instances run it without anyone deploying (the bundle bucket for the record and the release
/// archives, Secret Manager for the env files). An empty <see cref="Bucket"/> records nothing.
/// </summary>
public sealed class ReleaseStoreOptions
{
    /// <summary>The bundle bucket the instances read (the template's <c>buzztalk-bucket</c> attribute).</summary>
    public string Bucket { get; set; } = "";

    /// <summary>Object-name prefix of the record (<c>{Prefix}/desired.json</c>) and the release archives.</summary>
    public string Prefix { get; set; } = "releases";

    /// <summary>Secret Manager secret id holding the env files, one version per distinct set.</summary>
    public string EnvSecret { get; set; } = "buzztalk-env";

    /// <summary>Project of the secret; empty = the ops host's own (metadata server).</summary>
    public string Project { get; set; } = "";

    public string MetadataUrl { get; set; } = "http://metadata.google.internal/computeMetadata/v1";

    public string StorageUrl { get; set; } = "https://storage.googleapis.com/storage/v1";

    public string UploadUrl { get; set; } = "https://storage.googleapis.com/upload/storage/v1";

    public string SecretManagerUrl { get; set; } = "https://secretmanager.googleapis.com/v1";

    /// <summary>Per call to Storage, Secret Manager or the metadata server.</summary>
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Service mode: how often every instance is compared with the desired release (drift metric).</summary>
    public TimeSpan DriftInterval { get; set; } = TimeSpan.FromMinutes(1);

    public bool Enabled => Bucket.Length > 0;
}
