using System.Globalization;
using MySqlConnector;

namespace BuzzTalk.Testing;

/// <summary>
/// A MariaDB (Debian package) with its own data directory, a database and an application user,
/// on a free port of loopback and of any further address given (e.g. the swarm's gateway, for
/// containers of the local fleet).
/// </summary>
public sealed class MariaDbServer(params string[] alsoBind) : IAsyncDisposable
{
    public const string Database = "probe_db";
    public const string User = "prober";
    public const string Password = "probe-pass";
    private readonly ScratchDirectory _dir = new();
    private ServerProcess? _process;

    public int Port { get; private set; }

    /// <summary>Connection string without the password.</summary>
    public string Address => $"Server=127.0.0.1;Port={Port.ToString(CultureInfo.InvariantCulture)};Database={Database};User ID={User}";

    public async Task StartAsync()
    {
        var data = Path.Combine(_dir.Path, "data");
        var user = $"--user={Environment.UserName}";
        if (!Directory.Exists(data))
        {
            await using var install = ServerProcess.Start("mariadb-install-db", _dir.Path, 0,
                "--no-defaults", $"--datadir={data}", user, "--auth-root-authentication-method=socket", "--skip-test-db");
            var exit = await install.WaitForExitAsync(TimeSpan.FromSeconds(60));
            if (exit != 0)
            {
                throw new InvalidOperationException($"mariadb-install-db exited {exit}:\n{install.Output}");
            }
        }

        var init = Path.Combine(_dir.Path, "init.sql");
        await File.WriteAllTextAsync(init,
            $"CREATE DATABASE IF NOT EXISTS {Database};\n" +
            $"CREATE USER IF NOT EXISTS '{User}'@'%' IDENTIFIED BY '{Password}';\n" +
            $"GRANT ALL PRIVILEGES ON {Database}.* TO '{User}'@'%';\n");
        Port = Port == 0 ? ServerProcess.FreePort() : Port;
        _process = ServerProcess.Start("mariadbd", _dir.Path, Port,
            "--no-defaults", $"--datadir={data}", $"--socket={Path.Combine(_dir.Path, "s.sock")}",
            $"--port={Port.ToString(CultureInfo.InvariantCulture)}", $"--bind-address={string.Join(',', ["127.0.0.1", .. alsoBind])}", "--skip-name-resolve",
            user, $"--init-file={init}", $"--pid-file={Path.Combine(_dir.Path, "m.pid")}");
        await _process.WaitForPortAsync(TimeSpan.FromSeconds(60));
        await WaitForLoginAsync();
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

    /// <summary>The port opens before the init file has run; wait for the user to exist.</summary>
    private async Task WaitForLoginAsync()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        while (true)
        {
            try
            {
                await using var connection = new MySqlConnection($"{Address};Password={Password};Pooling=false");
                await connection.OpenAsync(cts.Token);
                return;
            }
            catch (MySqlException)
            {
                await Task.Delay(TimeSpan.FromMilliseconds(100), cts.Token);
            }
        }
    }
}
