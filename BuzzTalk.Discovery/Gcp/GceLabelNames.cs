namespace BuzzTalk.Discovery.Gcp;

/// <summary>
/// The label names of Prometheus' gce_sd (prometheus/prometheus <c>discovery/gce/gce.go</c>), so relabelling
/// written for it works on Discovery's targets unchanged.
/// </summary>
public static class GceLabelNames
{
    public const string Prefix = "__meta_gce_";
    public const string Project = Prefix + "project";
    public const string Zone = Prefix + "zone";
    public const string Network = Prefix + "network";
    public const string Subnetwork = Prefix + "subnetwork";
    public const string PublicIp = Prefix + "public_ip";
    public const string PrivateIp = Prefix + "private_ip";
    public const string InstanceId = Prefix + "instance_id";
    public const string InstanceName = Prefix + "instance_name";
    public const string InstanceStatus = Prefix + "instance_status";
    public const string Tags = Prefix + "tags";
    public const string MachineType = Prefix + "machine_type";
    public const string LabelPrefix = Prefix + "label_";
    public const string MetadataPrefix = Prefix + "metadata_";

    /// <summary>gce_sd's default tag separator: tags are published as <c>,a,b,</c>.</summary>
    public const char TagSeparator = ',';

    /// <summary>
    /// Metadata that holds scripts, keys or credentials (Compute's predefined keys, and Windows' and cloud-init's):
    /// never published, whatever the configuration says.
    /// </summary>
    private static readonly HashSet<string> s_secretMetadataKeys = new(StringComparer.OrdinalIgnoreCase)
    {
        "startup-script", "startup-script-url", "shutdown-script", "shutdown-script-url",
        "ssh-keys", "sshKeys", "windows-keys", "windows-startup-script-ps1", "windows-startup-script-cmd",
        "windows-startup-script-bat", "windows-startup-script-url", "windows-shutdown-script-ps1",
        "windows-shutdown-script-cmd", "windows-shutdown-script-bat", "windows-shutdown-script-url",
        "sysprep-specialize-script-ps1", "sysprep-specialize-script-cmd", "sysprep-specialize-script-bat",
        "sysprep-specialize-script-url", "user-data", "kube-env",
    };

    public static bool IsSecretMetadataKey(string key) => s_secretMetadataKeys.Contains(key);

    /// <summary>As Prometheus' <c>strutil.SanitizeLabelName</c>: every character outside <c>[a-zA-Z0-9_]</c> becomes <c>_</c>.</summary>
    public static string Sanitize(string prefix, string name) =>
        string.Create(prefix.Length + name.Length, (prefix, name), static (span, state) =>
        {
            state.prefix.AsSpan().CopyTo(span);
            var rest = span[state.prefix.Length..];
            for (var i = 0; i < state.name.Length; i++)
            {
                var c = state.name[i];
                rest[i] = char.IsAsciiLetterOrDigit(c) || c == '_' ? c : '_';
            }
        });
}
