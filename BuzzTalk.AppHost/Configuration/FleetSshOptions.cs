namespace BuzzTalk.AppHost.Configuration;

/// <summary>
/// Section <c>BuzzTalk:Fleet</c>: how the Scaler and the Deployer reach the instances. The key and
/// known_hosts stay files (mode 0600 for the key); only their paths travel, never their contents.
/// </summary>
public sealed class FleetSshOptions
{
    /// <summary>SSH user on the instances (the template's <c>ssh-keys</c> user).</summary>
    public string SshUser { get; set; } = "deploy";

    /// <summary>Private key of that user; empty = the services start without fleet access.</summary>
    public string PrivateKeyFile { get; set; } = "";

    /// <summary>Pinned host keys of the instances.</summary>
    public string KnownHostsFile { get; set; } = "";

    public bool IsConfigured => PrivateKeyFile.Length > 0;
}
