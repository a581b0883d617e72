namespace BuzzTalk.Fleet.Ssh;

/// <summary>An <see cref="SshTunnel"/> moved from one state to another.</summary>
public sealed class TunnelStateChangedEventArgs(TunnelState previous, TunnelState current) : EventArgs
{
    public TunnelState Previous { get; } = previous;

    public TunnelState Current { get; } = current;
}
