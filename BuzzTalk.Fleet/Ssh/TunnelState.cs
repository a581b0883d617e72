namespace BuzzTalk.Fleet.Ssh;

/// <summary>Where an <see cref="SshTunnel"/> stands.</summary>
public enum TunnelState
{
    /// <summary>Not started, failed to start, or stopped: the local port is closed.</summary>
    Stopped,

    /// <summary>The first connection is being opened.</summary>
    Connecting,

    /// <summary>Connected, and the local port forwards to the remote end.</summary>
    Up,

    /// <summary>The connection was lost or the health check failed; retrying with backoff.</summary>
    Reconnecting,
}
