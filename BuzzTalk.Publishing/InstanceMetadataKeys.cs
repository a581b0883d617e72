namespace BuzzTalk.Publishing;

/// <summary>
/// Instance metadata attributes the Terraform template sets and the startup scripts read
/// (<c>computeMetadata/v1/instance/attributes/&lt;key&gt;</c>). One list so both sides agree.
/// </summary>
public static class InstanceMetadataKeys
{
    /// <summary>Bucket holding the instance script and the bundle archive.</summary>
    public const string Bucket = "buzztalk-bucket";

    /// <summary>Object name of the instance script the bootstrap fetches and runs.</summary>
    public const string InstanceScriptObject = "buzztalk-instance-script";

    /// <summary>Object name of the bundle archive (tar.gz).</summary>
    public const string BundleObject = "buzztalk-bundle-object";

    /// <summary>Secret Manager secret (name only) holding the registry token; empty = public images.</summary>
    public const string RegistrySecret = "buzztalk-registry-secret";

    /// <summary>Registry host to log in to, e.g. <c>ghcr.io</c>.</summary>
    public const string RegistryHost = "buzztalk-registry-host";

    /// <summary>Registry user the token belongs to.</summary>
    public const string RegistryUser = "buzztalk-registry-user";

    /// <summary>Image tags the stack starts with on a new instance.</summary>
    public const string BackendImageTag = "buzztalk-backend-image-tag";

    public const string FrontendImageTag = "buzztalk-frontend-image-tag";

    /// <summary>GCE's own keys.</summary>
    public const string StartupScript = "startup-script";
    public const string ShutdownScript = "shutdown-script";

    public const string SshKeys = "ssh-keys";

    /// <summary>Lets instance.sh report readiness as the guest attribute <c>buzztalk/ready</c>.</summary>
    public const string EnableGuestAttributes = "enable-guest-attributes";
}
