using System.Net;
using System.Net.Sockets;

namespace BuzzTalk.AppHost.Runtime;

/// <summary>
/// Asks the Docker Engine API (which Podman also serves) over its local unix socket: only this
/// machine is ever contacted.
/// </summary>
public sealed class ContainerEngineProbe : IContainerEngineProbe
{
    private static readonly TimeSpan s_timeout = TimeSpan.FromSeconds(2);
    private readonly IReadOnlyList<string> _sockets;
    private string? _engineSocket;

    public ContainerEngineProbe(IReadOnlyList<string>? sockets = null)
    {
        _sockets = sockets ?? DefaultSockets();
    }

    public static IReadOnlyList<string> DefaultSockets()
    {
        var sockets = new List<string>();
        var dockerHost = Environment.GetEnvironmentVariable("DOCKER_HOST");
        if (dockerHost is not null && dockerHost.StartsWith("unix://", StringComparison.Ordinal))
        {
            sockets.Add(dockerHost["unix://".Length..]);
        }

        sockets.Add("/var/run/docker.sock");
        var runtimeDir = Environment.GetEnvironmentVariable("XDG_RUNTIME_DIR");
        if (!string.IsNullOrEmpty(runtimeDir))
        {
            sockets.Add(Path.Combine(runtimeDir, "podman", "podman.sock"));
        }

        sockets.Add("/run/podman/podman.sock");
        return sockets;
    }

    public async Task<string?> FindEngineAsync(CancellationToken cancellationToken)
    {
        foreach (var socket in _sockets.Where(File.Exists))
        {
            using var client = CreateClient(socket);
            try
            {
                using var response = await client.GetAsync(new Uri("/_ping", UriKind.Relative), cancellationToken).ConfigureAwait(false);
                if (response.IsSuccessStatusCode)
                {
                    _engineSocket = socket;
                    return "unix://" + socket;
                }
            }
            catch (Exception ex) when (ex is HttpRequestException or SocketException or TaskCanceledException)
            {
                // A stale socket file: try the next candidate.
            }
        }

        return null;
    }

    public async Task<bool> HasImageAsync(string image, CancellationToken cancellationToken)
    {
        if (_engineSocket is null)
        {
            return false;
        }

        using var client = CreateClient(_engineSocket);
        using var response = await client.GetAsync(
            new Uri($"/images/{Uri.EscapeDataString(image)}/json", UriKind.Relative), cancellationToken).ConfigureAwait(false);
        return response.StatusCode == HttpStatusCode.OK;
    }

    private static HttpClient CreateClient(string socketPath)
    {
        var handler = new SocketsHttpHandler
        {
            ConnectCallback = async (_, ct) =>
            {
                var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
                try
                {
                    await socket.ConnectAsync(new UnixDomainSocketEndPoint(socketPath), ct).ConfigureAwait(false);
                    return new NetworkStream(socket, ownsSocket: true);
                }
                catch
                {
                    socket.Dispose();
                    throw;
                }
            },
        };
        return new HttpClient(handler) { BaseAddress = new Uri("http://engine"), Timeout = s_timeout };
    }
}
