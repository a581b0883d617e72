namespace BuzzTalk.Fleet.Ssh;

/// <summary>How to reach the fleet's hosts over SSH.</summary>
public sealed class SshHostOptions
{
    /// <summary>Login user on every host (the seed's <c>deploy</c>).</summary>
    public string User { get; set; } = "deploy";

    /// <summary>Private key file (OpenSSH or PEM format).</summary>
    public string PrivateKeyFile { get; set; } = "";

    /// <summary>The <c>known_hosts</c> file that pins every host key.</summary>
    public string KnownHostsFile { get; set; } = "";

    public int Port { get; set; } = 22;

    /// <summary>Connecting and authenticating. Default 10 s.</summary>
    public TimeSpan ConnectTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Default bound of one remote command. Default 60 s.</summary>
    public TimeSpan CommandTimeout { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>Keep-alive on idle connections, so a dead peer is noticed. Default 15 s.</summary>
    public TimeSpan KeepAliveInterval { get; set; } = TimeSpan.FromSeconds(15);
}
