using System.Net;
using System.Net.Sockets;
using System.Text;

namespace BuzzTalk.Fleet.Tests.Ssh;

/// <summary>Talks to a Redis port the way the tunnel tests need: one raw RESP command.</summary>
public static class RedisPing
{
    /// <summary>Sends a raw RESP PING to the port and returns the reply line (<c>+PONG</c>).</summary>
    public static async Task<string> PingAsync(int port)
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        using var client = new TcpClient();
        await client.ConnectAsync(IPAddress.Loopback, port, cts.Token);
        var stream = client.GetStream();
        await stream.WriteAsync("PING\r\n"u8.ToArray(), cts.Token);
        var reply = new StringBuilder();
        var buffer = new byte[64];
        while (!reply.ToString().EndsWith("\r\n", StringComparison.Ordinal))
        {
            var read = await stream.ReadAsync(buffer, cts.Token);
            if (read == 0)
            {
                break;
            }

            reply.Append(Encoding.ASCII.GetString(buffer, 0, read));
        }

        return reply.ToString().TrimEnd();
    }
}
