using System.Net;
using System.Net.Sockets;
using System.Text;
using BuzzTalk.Publishing.Stack;
using BuzzTalk.Testing;

namespace BuzzTalk.AppHost.Tests.Publishing.Stack;

/// <summary>
/// The backend's container health check as swarm runs it (bash, after the stack file's
/// interpolation turned <c>$$</c> into <c>$</c>) against a loopback server answering a chosen status.
/// </summary>
public sealed class BackendProbeTests
{
    [Theory]
    [InlineData("HTTP/1.1 200 OK", 0)]
    [InlineData("HTTP/1.0 200 OK", 0)]
    [InlineData("HTTP/1.1 503 Service Unavailable", 1)]
    [InlineData("HTTP/1.1 404 Not Found", 1)]
    public async Task The_probe_passes_only_on_a_200_from_the_health_path(string statusLine, int expected)
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        var served = ServeOnceAsync(listener, statusLine);

        var (exitCode, output) = await ToolRun.RunAsync("bash", Path.GetTempPath(), "-c", Interpolated(StackFileGenerator.BashProbe(port, "/health")));

        Assert.Equal("GET /health HTTP/1.0", await served);
        Assert.True(exitCode == expected, $"exit {exitCode}, expected {expected}: {output}");
    }

    [Fact]
    public async Task The_probe_fails_when_nothing_listens()
    {
        var (exitCode, _) = await ToolRun.RunAsync("bash", Path.GetTempPath(), "-c", Interpolated(StackFileGenerator.BashProbe(ServerProcess.FreePort(), "/health")));

        Assert.Equal(1, exitCode);
    }

    /// <summary>What <c>docker stack deploy</c> makes of the text: <c>$$</c> is an escaped <c>$</c>.</summary>
    private static string Interpolated(string probe)
    {
        Assert.DoesNotContain("${", probe, StringComparison.Ordinal);
        return probe.Replace("$$", "$", StringComparison.Ordinal);
    }

    /// <summary>Accepts one connection, answers <paramref name="statusLine"/>, and returns the request line it read.</summary>
    private static async Task<string> ServeOnceAsync(TcpListener listener, string statusLine)
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        using var client = await listener.AcceptTcpClientAsync(cts.Token);
        await using var stream = client.GetStream();
        using var reader = new StreamReader(stream, Encoding.ASCII, leaveOpen: true);
        var requestLine = await reader.ReadLineAsync(cts.Token) ?? "";
        while (!string.IsNullOrEmpty(await reader.ReadLineAsync(cts.Token)))
        {
            // The rest of the request head.
        }

        await stream.WriteAsync(Encoding.ASCII.GetBytes($"{statusLine}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"), cts.Token);
        return requestLine;
    }
}
