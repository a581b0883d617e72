using System.Net.Sockets;
using BuzzTalk.Fleet.Ssh;
using Renci.SshNet.Common;

namespace BuzzTalk.Fleet.Tests.Ssh;

public sealed class SshFailureTests
{
    public static TheoryData<Exception, bool, bool> Failures => new()
    {
        { new SocketException((int)SocketError.ConnectionRefused), true, false },
        { new SshConnectionException("dropped"), true, false },
        { new SshOperationTimeoutException("slow"), true, false },
        { new TimeoutException(), true, false },
        { new SshAuthenticationException("no"), true, true },
        { new HostKeyRejectedException("127.0.0.1", 22, HostKeyVerdict.Changed, "SHA256:x"), true, true },
        { new IOException("wrapped", new SshConnectionException("dropped")), true, false },
        { new IOException("disk full"), false, false },
        { new InvalidOperationException("bug"), false, false },
    };

    [Theory]
    [MemberData(nameof(Failures))]
    public void Each_failure_is_classified(Exception failure, bool unreachable, bool refused)
    {
        Assert.Equal(unreachable, SshFailure.IsUnreachable(failure));
        Assert.Equal(refused, SshFailure.IsRefused(failure));
    }
}
