using Microsoft.Extensions.Logging;

namespace BuzzTalk.Fleet.Ssh;

/// <summary>The tunnel's log lines: host, ports, states and failures; never keys or passwords.</summary>
internal static class SshTunnelLog
{
    private static readonly Action<ILogger, string, int, int, string, int, Exception?> s_up =
        LoggerMessage.Define<string, int, int, string, int>(LogLevel.Information, new EventId(1, "TunnelUp"),
            "SSH tunnel via {Host}:{SshPort} up: 127.0.0.1:{LocalPort} -> {RemoteHost}:{RemotePort}");

    private static readonly Action<ILogger, string, string, Exception?> s_lost =
        LoggerMessage.Define<string, string>(LogLevel.Warning, new EventId(2, "TunnelLost"),
            "SSH tunnel via {Host} is down ({Reason}); reconnecting");

    private static readonly Action<ILogger, string, int, double, Exception?> s_retry =
        LoggerMessage.Define<string, int, double>(LogLevel.Warning, new EventId(3, "TunnelRetry"),
            "SSH tunnel via {Host}: reconnect attempt {Attempt} failed; next in {Seconds:0.0} s");

    private static readonly Action<ILogger, string, Exception?> s_stopped =
        LoggerMessage.Define<string>(LogLevel.Information, new EventId(4, "TunnelStopped"), "SSH tunnel via {Host} stopped");

    private static readonly Action<ILogger, string, Exception?> s_handlerFailed =
        LoggerMessage.Define<string>(LogLevel.Warning, new EventId(5, "TunnelHandlerFailed"),
            "SSH tunnel via {Host}: a state change handler threw");

    public static void Up(ILogger logger, string host, int sshPort, int localPort, string remoteHost, int remotePort) =>
        s_up(logger, host, sshPort, localPort, remoteHost, remotePort, null);

    public static void Lost(ILogger logger, string host, string reason) => s_lost(logger, host, reason, null);

    // Only the exception's type and message are logged by the logger's formatter; SSH.NET puts no key material in either.
    public static void RetryFailed(ILogger logger, string host, int attempt, TimeSpan next, Exception error) =>
        s_retry(logger, host, attempt, next.TotalSeconds, error);

    public static void Stopped(ILogger logger, string host) => s_stopped(logger, host, null);

    public static void HandlerFailed(ILogger logger, string host, Exception error) => s_handlerFailed(logger, host, error);
}
