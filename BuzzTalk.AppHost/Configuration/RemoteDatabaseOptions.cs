using System.ComponentModel.DataAnnotations;

namespace BuzzTalk.AppHost.Configuration;

/// <summary>
/// Section <c>BuzzTalk:RemoteDatabase</c>: work locally against a private MySQL reached only over
/// SSH (the seed's shared-hosting database). When <see cref="Host"/> is set, the stack runs no
/// MySQL of its own: a <c>mysql-tunnel</c> resource (the Deployer's <c>tunnel</c>) forwards a
/// local port to it, with the host key pinned. Credentials are the mysql-* parameters.
/// </summary>
public sealed class RemoteDatabaseOptions
{
    /// <summary>SSH host in front of the database; empty = a local MySQL.</summary>
    public string Host { get; set; } = "";

    [Range(1, 65535)]
    public int SshPort { get; set; } = 22;

    public string User { get; set; } = "";

    public string PrivateKeyFile { get; set; } = "";

    public string KnownHostsFile { get; set; } = "";

    /// <summary>The database as the SSH server sees it.</summary>
    public string RemoteHost { get; set; } = "127.0.0.1";

    [Range(1, 65535)]
    public int RemotePort { get; set; } = 3306;

    public bool IsEnabled => Host.Length > 0;
}
