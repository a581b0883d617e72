namespace BuzzTalk.Fleet.Ssh;

/// <summary>What an <see cref="SshTunnel"/> forwards, and how it watches and repairs the connection.</summary>
public sealed class SshTunnelOptions
{
    /// <summary>Host the SSH server connects to, as seen from the SSH server. Default 127.0.0.1.</summary>
    public string RemoteHost { get; set; } = "127.0.0.1";

    /// <summary>Port on <see cref="RemoteHost"/> (3306 for MySQL). Required.</summary>
    public int RemotePort { get; set; }

    /// <summary>Port bound on 127.0.0.1; 0 picks a free one, kept across reconnects.</summary>
    public int LocalPort { get; set; }

    /// <summary>SSH keep-alive, so a silently dead connection is noticed. Default 10 s.</summary>
    public TimeSpan KeepAliveInterval { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>How often the background loop runs <see cref="SshTunnel.CheckAsync"/>. Default 10 s.</summary>
    public TimeSpan HealthInterval { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>What the health check expects from the remote end. Default <see cref="TunnelCheckMode.Connect"/>.</summary>
    public TunnelCheckMode CheckMode { get; set; } = TunnelCheckMode.Connect;

    /// <summary>Bound of one health check. Default 5 s.</summary>
    public TimeSpan CheckTimeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>In <see cref="TunnelCheckMode.Connect"/> mode, how long the connection must stay open. Default 500 ms.</summary>
    public TimeSpan CheckSettleTime { get; set; } = TimeSpan.FromMilliseconds(500);

    /// <summary>First delay before a reconnect attempt; doubled after each failure. Default 1 s.</summary>
    public TimeSpan ReconnectMinDelay { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Cap of the reconnect delay. Default 30 s.</summary>
    public TimeSpan ReconnectMaxDelay { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Throws <see cref="ArgumentException"/> naming the first invalid setting.</summary>
    public void Validate()
    {
        if (string.IsNullOrWhiteSpace(RemoteHost))
        {
            throw new ArgumentException("SshTunnelOptions.RemoteHost is required.", nameof(RemoteHost));
        }

        if (RemotePort is < 1 or > 65535)
        {
            throw new ArgumentException($"SshTunnelOptions.RemotePort must be 1..65535 (got {RemotePort}).", nameof(RemotePort));
        }

        if (LocalPort is < 0 or > 65535)
        {
            throw new ArgumentException($"SshTunnelOptions.LocalPort must be 0 (any free port) or 1..65535 (got {LocalPort}).", nameof(LocalPort));
        }

        Positive(KeepAliveInterval, nameof(KeepAliveInterval));
        Positive(HealthInterval, nameof(HealthInterval));
        Positive(CheckTimeout, nameof(CheckTimeout));
        Positive(CheckSettleTime, nameof(CheckSettleTime));
        Positive(ReconnectMinDelay, nameof(ReconnectMinDelay));
        Positive(ReconnectMaxDelay, nameof(ReconnectMaxDelay));
        if (ReconnectMaxDelay < ReconnectMinDelay)
        {
            throw new ArgumentException(
                $"SshTunnelOptions.ReconnectMaxDelay ({ReconnectMaxDelay}) is below ReconnectMinDelay ({ReconnectMinDelay}).",
                nameof(ReconnectMaxDelay));
        }

        if (!Enum.IsDefined(CheckMode))
        {
            throw new ArgumentException($"SshTunnelOptions.CheckMode {CheckMode} is not a known mode.", nameof(CheckMode));
        }
    }

    private static void Positive(TimeSpan value, string name)
    {
        if (value <= TimeSpan.Zero || value > TimeSpan.FromDays(1))
        {
            throw new ArgumentException($"SshTunnelOptions.{name} must be above zero and at most a day (got {value}).", name);
        }
    }
}
