using System.Net.Sockets;
using Renci.SshNet.Common;

namespace BuzzTalk.Fleet.Ssh;

/// <summary>What an SSH failure means to a caller: the one place that knows SSH.NET's exception types.</summary>
public static class SshFailure
{
    /// <summary>
    /// The host could not be reached or logged into: the connection refused, dropped or timed out,
    /// the host key or the login refused (also when wrapped in an <see cref="IOException"/>).
    /// </summary>
    public static bool IsUnreachable(Exception exception) =>
        exception is SocketException or TimeoutException or SshConnectionException or SshOperationTimeoutException
        || IsRefused(exception)
        || (exception is IOException { InnerException: { } inner } && IsUnreachable(inner));

    /// <summary>A refusal that stays until someone acts: the host's key is not the pinned one, or the login is rejected.</summary>
    public static bool IsRefused(Exception exception) => exception is HostKeyRejectedException or SshAuthenticationException;
}
