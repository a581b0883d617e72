using System.Net.Sockets;
using BuzzTalk.AppHost.Runtime;
using BuzzTalk.Testing;

namespace BuzzTalk.AppHost.Tests.Runtime;

public sealed class ContainerEngineProbeTests
{
    [Fact]
    public async Task No_engine_is_found_when_no_socket_exists()
    {
        using var dir = new ScratchDirectory();
        var probe = new ContainerEngineProbe([Path.Combine(dir.Path, "docker.sock")]);

        Assert.Null(await probe.FindEngineAsync(CancellationToken.None));
        Assert.False(await probe.HasImageAsync("docker.io/library/redis:7.4", CancellationToken.None));
    }

    [Fact]
    public async Task A_stale_socket_nobody_listens_on_is_not_an_engine()
    {
        using var dir = new ScratchDirectory();
        var path = Path.Combine(dir.Path, "docker.sock");
        // Bound but never listening: connecting is refused, as with a socket left by a dead engine.
        using var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        socket.Bind(new UnixDomainSocketEndPoint(path));

        Assert.True(File.Exists(path));
        Assert.Null(await new ContainerEngineProbe([path]).FindEngineAsync(CancellationToken.None));
    }
}
