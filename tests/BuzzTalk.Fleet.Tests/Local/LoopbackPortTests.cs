using System.Net;
using System.Net.Sockets;
using BuzzTalk.Fleet.Local;

namespace BuzzTalk.Fleet.Tests.Local;

public sealed class LoopbackPortTests
{
    [Fact]
    public void Ports_are_free_distinct_and_outside_the_kernels_ephemeral_range()
    {
        var ports = Enumerable.Range(0, 200).Select(_ => LoopbackPort.Find()).ToList();

        Assert.Equal(ports.Count, ports.Distinct().Count());
        Assert.All(ports, p => Assert.InRange(p, 20000, 32767));
        using var listener = new TcpListener(IPAddress.Loopback, ports[^1]);
        listener.Start();
    }

    [Fact]
    public void A_port_something_listens_on_is_never_handed_out()
    {
        // Hold many ports of the range: none of them may come back.
        var held = new List<TcpListener>();
        try
        {
            for (var port = 20000; port < 20400; port++)
            {
                var listener = new TcpListener(IPAddress.Loopback, port);
                try
                {
                    listener.Start();
                    held.Add(listener);
                }
                catch (SocketException)
                {
                    listener.Dispose();
                }
            }

            var taken = held.Select(l => ((IPEndPoint)l.LocalEndpoint).Port).ToHashSet();
            Assert.DoesNotContain(Enumerable.Range(0, 300).Select(_ => LoopbackPort.Find()), taken.Contains);
        }
        finally
        {
            held.ForEach(l => l.Dispose());
        }
    }
}
