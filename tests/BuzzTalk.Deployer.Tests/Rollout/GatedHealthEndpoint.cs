using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace BuzzTalk.Deployer.Tests.Rollout;

/// <summary>
/// A tiny HTTP health endpoint on loopback that answers 503 until opened, so a test can hold a
/// deploy in its health-check step (and its lease) for exactly as long as it needs.
/// </summary>
public sealed class GatedHealthEndpoint : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _serving;
    private volatile bool _open;

    public GatedHealthEndpoint()
    {
        _listener.Start();
        _serving = ServeAsync();
    }

    public string Origin => $"http://127.0.0.1:{((IPEndPoint)_listener.LocalEndpoint).Port}";

    public string Url => Origin + "/health";

    /// <summary>The path of every request, in order: what the health gate asked for.</summary>
    public ConcurrentQueue<string> Paths { get; } = new();

    /// <summary>Completes on the first request: the deploy has reached its health check.</summary>
    public TaskCompletionSource Asked { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public void Open() => _open = true;

    public void Close() => _open = false;

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        try
        {
            await _serving;
        }
        catch (Exception ex) when (ex is OperationCanceledException or SocketException or ObjectDisposedException)
        {
        }

        _stop.Dispose();
    }

    private async Task ServeAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            using var client = await _listener.AcceptTcpClientAsync(_stop.Token);
            var stream = client.GetStream();
            var buffer = new byte[4096];
            var read = await stream.ReadAsync(buffer, _stop.Token);
            // The request line: GET <path> HTTP/1.1.
            var requestLine = Encoding.ASCII.GetString(buffer, 0, read).Split("\r\n")[0].Split(' ');
            Paths.Enqueue(requestLine.Length > 1 ? requestLine[1] : "");
            Asked.TrySetResult();
            var status = _open ? "200 OK" : "503 Service Unavailable";
            await stream.WriteAsync(Encoding.ASCII.GetBytes($"HTTP/1.1 {status}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"), _stop.Token);
        }
    }
}
