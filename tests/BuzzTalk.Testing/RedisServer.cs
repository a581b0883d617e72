using System.Globalization;

namespace BuzzTalk.Testing;

/// <summary>
/// A real redis-server (Debian package) on a free loopback port (and any further address given,
/// e.g. the swarm's gateway for containers of the local fleet), without persistence and with an
/// optional password; stopped and started again on the same port.
/// </summary>
public sealed class RedisServer(string? password = null, params string[] alsoBind) : IAsyncDisposable
{
    private readonly ScratchDirectory _dir = new();
    private ServerProcess? _process;

    public int Port { get; } = ServerProcess.FreePort();

    public string Address => $"127.0.0.1:{Port}";

    public string? Password => password;

    public async Task StartAsync()
    {
        // The password goes in a private config file, not on the command line.
        var config = Path.Combine(_dir.Path, "redis.conf");
        await File.WriteAllTextAsync(config, password is null ? "" : $"requirepass {password}\n");
        _process = ServerProcess.Start("redis-server", _dir.Path, Port,
            [config, "--port", Port.ToString(CultureInfo.InvariantCulture), "--bind", "127.0.0.1", .. alsoBind,
             "--dir", _dir.Path, "--save", "", "--appendonly", "no"]);
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
}
