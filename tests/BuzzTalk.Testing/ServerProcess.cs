using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using BuzzTalk.Fleet.Local;

namespace BuzzTalk.Testing;

/// <summary>
/// A real server process from a Debian package, started by a test on a free loopback port in
/// its own temporary directory, and stopped by its PID.
/// </summary>
public sealed class ServerProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _output = new();

    private ServerProcess(Process process, string directory, int port)
    {
        _process = process;
        Directory = directory;
        Port = port;
    }

    public string Directory { get; }

    public int Port { get; }

    public string Output
    {
        get
        {
            lock (_output)
            {
                return _output.ToString();
            }
        }
    }

    public bool HasExited => _process.HasExited;

    /// <summary>The process id, to signal exactly this process.</summary>
    public int ProcessId => _process.Id;

    public static ServerProcess Start(string command, string directory, int port, params string[] args) =>
        Start(command, directory, port, environment: null, args);

    /// <summary>Starts the process with extra environment variables on top of the test's own.</summary>
    public static ServerProcess Start(string command, string directory, int port, IReadOnlyDictionary<string, string>? environment, params string[] args)
    {
        var executable = Locate(command);
        var start = new ProcessStartInfo(executable)
        {
            WorkingDirectory = directory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        foreach (var (name, value) in environment ?? new Dictionary<string, string>())
        {
            start.Environment[name] = value;
        }

        var process = Process.Start(start) ?? throw new InvalidOperationException($"could not start {command}");
        var server = new ServerProcess(process, directory, port);
        process.OutputDataReceived += (_, e) => server.Append(e.Data);
        process.ErrorDataReceived += (_, e) => server.Append(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return server;
    }

    /// <summary>Waits until the port accepts connections; fails with the server's output if it exits first.</summary>
    public async Task WaitForPortAsync(TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        while (true)
        {
            if (_process.HasExited)
            {
                throw new InvalidOperationException($"server exited with {_process.ExitCode}:\n{Output}");
            }

            try
            {
                using var client = new TcpClient();
                await client.ConnectAsync(IPAddress.Loopback, Port, cts.Token);
                return;
            }
            catch (SocketException)
            {
                await Task.Delay(TimeSpan.FromMilliseconds(50), cts.Token);
            }
            catch (OperationCanceledException)
            {
                throw new TimeoutException($"port {Port} did not open within {timeout}:\n{Output}");
            }
        }
    }

    /// <summary>For one-shot commands: waits for the exit and returns its code.</summary>
    public async Task<int> WaitForExitAsync(TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        await _process.WaitForExitAsync(cts.Token);
        return _process.ExitCode;
    }

    /// <summary>
    /// Asks the process to stop (SIGTERM), as Ctrl+C would, so it can stop what it started itself;
    /// kills its whole tree if it has not exited within <paramref name="grace"/>.
    /// </summary>
    public async Task InterruptAsync(TimeSpan grace)
    {
        if (!_process.HasExited && Kill(_process.Id, SigTerm) == 0)
        {
            using var cts = new CancellationTokenSource(grace);
            try
            {
                await _process.WaitForExitAsync(cts.Token);
            }
            catch (OperationCanceledException)
            {
                // Falls through to the kill below.
            }
        }

        await StopAsync();
    }

    private const int SigTerm = 15;

    [System.Runtime.InteropServices.DllImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static extern int Kill(int pid, int signal);

    public async Task StopAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
        }

        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await _process.WaitForExitAsync(cts.Token);
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        _process.Dispose();
    }

    /// <summary>A free loopback port for a server about to start (see <see cref="LoopbackPort"/>).</summary>
    public static int FreePort() => LoopbackPort.Find();

    public static string Locate(string command) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries)
            .Concat(["/usr/sbin", "/usr/bin", "/sbin", "/bin"])
            .Select(dir => Path.Combine(dir, command))
            .FirstOrDefault(File.Exists)
        ?? throw new InvalidOperationException($"{command} is not installed: run eng/install-deps.sh");

    private void Append(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_output)
        {
            _output.AppendLine(line);
        }
    }
}
