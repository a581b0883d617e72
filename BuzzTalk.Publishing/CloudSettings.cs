namespace BuzzTalk.Publishing;

/// <summary>
/// Defaults of the GCP topology (the seed's values); project, region, bucket and image tags stay
/// Terraform variables so one bundle serves any project.
/// </summary>
public sealed record CloudSettings
{
    public string DefaultRegion { get; init; } = "us-central1";

    /// <summary>Zone suffixes of the regional group: the seed spread over a, b and c.</summary>
    public IReadOnlyList<string> ZoneSuffixes { get; init; } = ["a", "b", "c"];

    public string MachineType { get; init; } = "e2-micro";

    public int MinInstances { get; init; } = 1;

    public int MaxInstances { get; init; } = 2;

    public string SubnetCidr { get; init; } = "10.0.0.0/16";

    /// <summary>User the Deployer and Scaler log in as (its key is in the template's ssh-keys metadata).</summary>
    public string SshUser { get; init; } = "deploy";

    /// <summary>Object name of the bundle archive in the bucket.</summary>
    public string BundleObject { get; init; } = "bundle/buzztalk-bundle.tar.gz";

    /// <summary>Object name of the instance script in the bucket (fetched by the tiny bootstrap).</summary>
    public string InstanceScriptObject { get; init; } = "startup/instance.sh";

    /// <summary>
    /// Object-name prefix of the desired release the Deployer records (<c>{prefix}/desired.json</c>,
    /// <c>{prefix}/{release}.tar.gz</c>) and a booting instance runs.
    /// </summary>
    public string ReleasePrefix { get; init; } = "releases";

    /// <summary>Secret Manager secret whose versions hold the env files of the recorded releases.</summary>
    public string EnvSecret { get; init; } = "buzztalk-env";
}
