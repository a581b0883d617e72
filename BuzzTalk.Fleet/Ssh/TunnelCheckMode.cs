namespace BuzzTalk.Fleet.Ssh;

/// <summary>What <see cref="SshTunnel.CheckAsync"/> takes as proof that the remote end accepts.</summary>
public enum TunnelCheckMode
{
    /// <summary>
    /// The connection through the tunnel stays open (or data arrives) for
    /// <see cref="SshTunnelOptions.CheckSettleTime"/>: a refused remote connection makes the SSH
    /// server fail the channel and the local connection is closed at once. For servers that wait
    /// for the client to speak first (Redis, HTTP).
    /// </summary>
    Connect,

    /// <summary>At least one byte arrives within <see cref="SshTunnelOptions.CheckTimeout"/> (MySQL's greeting, SSH's banner).</summary>
    ExpectBanner,
}
