using System.Globalization;
using System.Net.Sockets;
using System.Text;

namespace BuzzTalk.Testing;

/// <summary>
/// A real HAProxy (Debian package) on a free loopback port in front of the local fleet's
/// instances, checking each the way the published load-balancer health check does: a GET of the
/// path every interval, out of rotation after <c>fall</c> failures in a row, back after <c>rise</c>
/// successes. A failed request is not retried on another instance (a cloud balancer does not
/// retry a request an instance already took), so what clients see is what the fleet did. Unlike
/// a cloud balancer, HAProxy starts each server in rotation until its checks fail: a test waits
/// for that (<see cref="WaitForAsync"/>) before it counts what clients see.
/// </summary>
public sealed class HaproxyBalancer : IAsyncDisposable
{
    private const string Backend = "fleet";

    private readonly ScratchDirectory _dir;
    private readonly ServerProcess _process;

    private HaproxyBalancer(ScratchDirectory dir, ServerProcess process)
    {
        _dir = dir;
        _process = process;
    }

    public int Port => _process.Port;

    public Uri Address => new($"http://127.0.0.1:{Port.ToString(CultureInfo.InvariantCulture)}");

    private string StatsSocket => Path.Combine(_dir.Path, "stats.sock");

    /// <param name="servers">The instances: a name (letters, digits, '-') and the loopback port of its nginx.</param>
    /// <param name="healthPath">The health check's request path.</param>
    /// <param name="interval">Time between two checks of one instance.</param>
    /// <param name="fall">Failed checks in a row that take an instance out.</param>
    /// <param name="rise">Passed checks in a row that bring it back.</param>
    public static async Task<HaproxyBalancer> StartAsync(IReadOnlyList<(string Name, int Port)> servers, string healthPath, TimeSpan interval,
        int fall, int rise)
    {
        if (servers.Any(s => !s.Name.All(c => char.IsAsciiLetterOrDigit(c) || c == '-')) || !healthPath.StartsWith('/') || healthPath.Any(char.IsWhiteSpace))
        {
            throw new ArgumentException("Server names are letters, digits and '-'; the health path an absolute path without spaces.");
        }

        var dir = new ScratchDirectory();
        try
        {
            var port = ServerProcess.FreePort();
            var ms = ((int)interval.TotalMilliseconds).ToString(CultureInfo.InvariantCulture);
            var config = new StringBuilder()
                .Append(CultureInfo.InvariantCulture, $"""
                    global
                      maxconn 4096
                      stats socket {Path.Combine(dir.Path, "stats.sock")} mode 600 level admin

                    defaults
                      mode http
                      timeout connect 2s
                      timeout client 60s
                      timeout server 60s
                      timeout tunnel 1h
                      timeout check {ms}ms
                      retries 0

                    frontend web
                      bind 127.0.0.1:{port}
                      default_backend {Backend}

                    backend {Backend}
                      balance roundrobin
                      option httpchk GET {healthPath}
                      http-check expect status 200
                      default-server inter {ms}ms fastinter {ms}ms downinter {ms}ms fall {fall} rise {rise}

                    """);
            foreach (var (name, serverPort) in servers)
            {
                config.Append(CultureInfo.InvariantCulture, $"  server {name} 127.0.0.1:{serverPort} check\n");
            }

            var file = Path.Combine(dir.Path, "haproxy.cfg");
            await File.WriteAllTextAsync(file, config.ToString());
            var process = ServerProcess.Start(ServerProcess.Locate("haproxy"), dir.Path, port, "-db", "-f", file);
            var balancer = new HaproxyBalancer(dir, process);
            try
            {
                await process.WaitForPortAsync(TimeSpan.FromSeconds(30));
                return balancer;
            }
            catch
            {
                await balancer.DisposeAsync();
                throw;
            }
        }
        catch
        {
            dir.Dispose();
            throw;
        }
    }

    /// <summary>Each instance's state in the balancer: true when its checks put it in rotation.</summary>
    public async Task<IReadOnlyDictionary<string, bool>> InRotationAsync(CancellationToken cancellationToken = default)
    {
        // "show stat" is CSV: pxname, svname, ..., status (UP, DOWN, "UP 1/2", "DOWN 1/2", MAINT, no check).
        var csv = await CommandAsync("show stat", cancellationToken);
        var lines = csv.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        var header = lines[0].TrimStart('#', ' ').Split(',');
        var status = Array.IndexOf(header, "status");
        return lines.Skip(1)
            .Select(l => l.Split(','))
            .Where(f => f.Length > status && f[0] == Backend && f[1] is not "BACKEND" and not "FRONTEND")
            // "UP 1/2" is still in rotation (one check failed); "DOWN 1/2" is not yet back.
            .ToDictionary(f => f[1], f => f[status].StartsWith("UP", StringComparison.Ordinal));
    }

    /// <summary>Waits until the instance's checks have put it in (or taken it out of) rotation.</summary>
    public async Task WaitForAsync(string server, bool inRotation, TimeSpan timeout)
    {
        using var deadline = new CancellationTokenSource(timeout);
        IReadOnlyDictionary<string, bool> last = new Dictionary<string, bool>();
        try
        {
            while ((last = await InRotationAsync(deadline.Token)).GetValueOrDefault(server) != inRotation)
            {
                await Task.Delay(TimeSpan.FromMilliseconds(100), deadline.Token);
            }
        }
        catch (OperationCanceledException) when (deadline.IsCancellationRequested)
        {
            throw new TimeoutException($"{server} not {(inRotation ? "in" : "out of")} rotation after {timeout}: "
                + string.Join(", ", last.Select(p => $"{p.Key}={(p.Value ? "in" : "out")}")));
        }
    }

    private async Task<string> CommandAsync(string command, CancellationToken cancellationToken)
    {
        using var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        await socket.ConnectAsync(new UnixDomainSocketEndPoint(StatsSocket), cancellationToken);
        await socket.SendAsync(Encoding.ASCII.GetBytes(command + "\n"), cancellationToken);
        // The socket answers one command and closes.
        using var stream = new NetworkStream(socket, ownsSocket: false);
        using var reader = new StreamReader(stream, Encoding.ASCII);
        return await reader.ReadToEndAsync(cancellationToken);
    }

    public async ValueTask DisposeAsync()
    {
        await _process.DisposeAsync();
        _dir.Dispose();
    }
}
