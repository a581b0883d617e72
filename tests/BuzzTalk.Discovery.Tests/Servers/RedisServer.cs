using BuzzTalk.Testing;

namespace BuzzTalk.Discovery.Tests.Servers;

/// <summary>A password-protected redis-server on a free loopback port.</summary>
public sealed class RedisServer : IAsyncDisposable
{
    public const string Password = "probe-secret";
    private readonly ScratchDirectory _dir = new();
    private ServerProcess? _process;

    public int Port { get; private set; }

    public string Address => $"127.0.0.1:{Port}";

    public async Task StartAsync()
    {
        Port = Port == 0 ? ServerProcess.FreePort() : Port;
        var config = Path.Combine(_dir.Path, "redis.conf");
        await File.WriteAllTextAsync(config, $"requirepass {Password}\n");
        _process = ServerProcess.Start("redis-server", _dir.Path, Port, config,
            "--port", Port.ToString(System.Globalization.CultureInfo.InvariantCulture), "--bind", "127.0.0.1",
            "--dir", _dir.Path, "--save", "", "--appendonly", "no");
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
