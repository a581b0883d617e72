using System.Globalization;
using BuzzTalk.Fleet.Ssh;

namespace BuzzTalk.Testing;

/// <summary>
/// A real OpenSSH server on a free loopback port, with its own host key, a client key allowed
/// for the current user, and the <c>known_hosts</c> line that pins its host key.
/// </summary>
public sealed class SshServer : IAsyncDisposable
{
    private readonly ScratchDirectory _dir = new();
    private readonly List<SshHostSession> _sessions = [];
    private ServerProcess? _process;

    private SshServer()
    {
    }

    public int Port { get; private set; }

    public string User { get; } = Environment.UserName;

    public string ClientKeyFile => Path.Combine(_dir.Path, "client_ed25519");

    public string HostKeyFile => Path.Combine(_dir.Path, "host_ed25519");

    public string Directory => _dir.Path;

    /// <summary>The line <c>ssh-keyscan</c> would print for this server.</summary>
    public string KnownHostsLine
    {
        get
        {
            var fields = File.ReadAllText(HostKeyFile + ".pub").Split(' ', StringSplitOptions.RemoveEmptyEntries);
            return $"[127.0.0.1]:{Port.ToString(CultureInfo.InvariantCulture)} {fields[0]} {fields[1]}";
        }
    }

    public static async Task<SshServer> StartAsync()
    {
        var server = new SshServer();
        try
        {
            await server.KeygenAsync(server.HostKeyFile);
            await server.KeygenAsync(server.ClientKeyFile);
            await File.WriteAllTextAsync(Path.Combine(server.Directory, "authorized_keys"), await File.ReadAllTextAsync(server.ClientKeyFile + ".pub"));
            server.Port = ServerProcess.FreePort();
            await server.StartProcessAsync();
            return server;
        }
        catch
        {
            await server.DisposeAsync();
            throw;
        }
    }

    /// <summary>Stops the server: established sessions drop, new connections are refused.</summary>
    public async Task StopAsync()
    {
        if (_process is not null)
        {
            await _process.DisposeAsync();
            _process = null;
        }
    }

    /// <summary>Starts it again on the same port with the same keys.</summary>
    public Task StartAgainAsync() => StartProcessAsync();

    /// <summary>A new host key, as after a host is rebuilt (or impersonated).</summary>
    public async Task ReplaceHostKeyAsync()
    {
        File.Delete(HostKeyFile);
        File.Delete(HostKeyFile + ".pub");
        await KeygenAsync(HostKeyFile);
    }

    /// <summary>
    /// A connection of its own to this server, its host key pinned, as each deployer or scaler has;
    /// closed when the server is disposed.
    /// </summary>
    public SshHostSession Connect(TimeSpan? connectTimeout = null)
    {
        var options = new SshHostOptions { User = User, PrivateKeyFile = ClientKeyFile, Port = Port };
        if (connectTimeout is { } timeout)
        {
            options.ConnectTimeout = timeout;
        }

        var session = new SshHostSession("127.0.0.1", options, KnownHosts.Parse(KnownHostsLine));
        _sessions.Add(session);
        return session;
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var session in _sessions)
        {
            await session.DisposeAsync();
        }

        await StopAsync();
        _dir.Dispose();
    }

    private async Task StartProcessAsync()
    {
        var config = Path.Combine(Directory, "sshd_config");
        await File.WriteAllTextAsync(config, BuzzTalk.Fleet.Ssh.SshdConfig.Render(Port, HostKeyFile, Path.Combine(Directory, "sshd.pid"),
            Path.Combine(Directory, "authorized_keys"), User, Directory));
        // sshd's privilege-separation directory; present once the package's service has run.
        System.IO.Directory.CreateDirectory("/run/sshd");
        _process = ServerProcess.Start(ServerProcess.Locate("sshd"), Directory, Port, "-D", "-e", "-f", config);
        await _process.WaitForPortAsync(TimeSpan.FromSeconds(30));
    }

    private async Task KeygenAsync(string file)
    {
        await using var keygen = ServerProcess.Start("ssh-keygen", Directory, 0, "-q", "-t", "ed25519", "-N", "", "-C", "buzztalk-test", "-f", file);
        var exit = await keygen.WaitForExitAsync(TimeSpan.FromSeconds(30));
        if (exit != 0)
        {
            throw new InvalidOperationException($"ssh-keygen exited {exit}: {keygen.Output}");
        }
    }
}
