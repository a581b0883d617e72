using System.Net;
using System.Net.Sockets;

namespace BuzzTalk.AppHost.Resources;

/// <summary>A loopback port nothing listens on right now.</summary>
public static class FreePort
{
    public static int Find()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
