using System.Net;
using System.Net.Sockets;

namespace BuzzTalk.Fleet.Local;

/// <summary>
/// A loopback TCP port nothing listens on, for a server about to be started on it. Drawn at
/// random below the kernel's ephemeral range (32768+), where the kernel never hands out a port by
/// itself: another program's <c>bind(0)</c> or outgoing connection cannot take it before the server
/// binds, and no port is handed out twice in one process.
/// </summary>
public static class LoopbackPort
{
    private const int First = 20000;
    private const int Last = 32767;
    private static readonly HashSet<int> Given = [];
    private static readonly Lock Gate = new();

    public static int Find()
    {
        lock (Gate)
        {
            for (var attempt = 0; attempt < 500; attempt++)
            {
                var port = Random.Shared.Next(First, Last + 1);
                if (!Given.Contains(port) && IsFree(port))
                {
                    Given.Add(port);
                    return port;
                }
            }

            throw new InvalidOperationException($"no free loopback port in {First}-{Last} after 500 tries");
        }
    }

    private static bool IsFree(int port)
    {
        try
        {
            using var listener = new TcpListener(IPAddress.Loopback, port);
            listener.Start();
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }
}
