using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using BuzzTalk.Testing;

namespace BuzzTalk.Fleet.Tests.Ssh;

/// <summary>A real redis-server (Debian package) on a free loopback port, no persistence; stoppable and restartable on the same port.</summary>
public sealed class RedisTarget : IAsyncDisposable
{
    private readonly ScratchDirectory _dir = new();
    private ServerProcess? _process;

    private RedisTarget() => Port = ServerProcess.FreePort();

    public int Port { get; }

    public static async Task<RedisTarget> StartAsync()
    {
        var redis = new RedisTarget();
        try
        {
            await redis.StartAgainAsync();
            return redis;
        }
        catch
        {
            await redis.DisposeAsync();
            throw;
        }
    }

    public async Task StartAgainAsync()
    {
        _process = ServerProcess.Start("redis-server", _dir.Path, Port,
            "--port", Port.ToString(CultureInfo.InvariantCulture), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no");
        await _process.WaitForPortAsync(TimeSpan.FromSeconds(30));
    }

    public async Task StopAsync()
    {
        if (_process is not null)
        {
            await _process.DisposeAsync();
            _process = null;
        }
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        _dir.Dispose();
    }

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
