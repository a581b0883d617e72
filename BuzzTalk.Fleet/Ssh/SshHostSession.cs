using System.Net.Sockets;
using Renci.SshNet;
using Renci.SshNet.Common;

namespace BuzzTalk.Fleet.Ssh;

/// <summary>
/// One host reached over SSH: key authentication, host key pinned by <c>known_hosts</c>, one
/// connection reused by every command (with keep-alive) and re-opened when it drops, a timeout
/// per command and cancellation. Commands are a program and its arguments, each quoted: nothing
/// handed in ever reaches the remote shell as syntax.
/// </summary>
public sealed class SshHostSession : IRemoteRunner, IAsyncDisposable
{
    private readonly SshHostOptions _options;
    private readonly KnownHosts _knownHosts;
    private readonly SemaphoreSlim _connectGate = new(1, 1);
    private SshClient? _client;

    public SshHostSession(string host, SshHostOptions options, KnownHosts? knownHosts = null)
    {
        Host = host;
        _options = options;
        _knownHosts = knownHosts ?? KnownHosts.Load(options.KnownHostsFile);
    }

    public string Host { get; }

    /// <summary>Connections opened so far (the first one and every reconnect).</summary>
    public int Connections { get; private set; }

    public async Task<RemoteResult> RunAsync(string program, IEnumerable<string> arguments, TimeSpan? timeout = null, CancellationToken cancellationToken = default)
    {
        var client = await ConnectedAsync(cancellationToken).ConfigureAwait(false);
        var limit = timeout ?? _options.CommandTimeout;
        using var command = client.CreateCommand(ShellQuote.Join(program, arguments));
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        cts.CancelAfter(limit);
        try
        {
            await command.ExecuteAsync(cts.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            // A silent peer looks the same as a slow command: start the next one on a fresh connection.
            await DropAsync().ConfigureAwait(false);
            throw new TimeoutException($"{program} on {Host} did not finish within {limit.TotalSeconds:0.###} s.");
        }
        catch (Exception ex) when (ex is SshConnectionException or SocketException or ObjectDisposedException)
        {
            // The connection is gone: the next command opens a new one.
            await DropAsync().ConfigureAwait(false);
            throw new IOException($"Connection to {Host} dropped while running {program}: {ex.Message}", ex);
        }

        return new RemoteResult(command.ExitStatus ?? -1, command.Result, command.Error);
    }

    /// <summary>
    /// Starts <paramref name="program"/> as a long-lived process on its own channel of this host's
    /// connection (quoted like <see cref="RunAsync"/>). The caller owns it; it ends when disposed
    /// or when the connection drops.
    /// </summary>
    public async Task<RemoteProcess> StartAsync(string program, IEnumerable<string> arguments, CancellationToken cancellationToken = default)
    {
        var client = await ConnectedAsync(cancellationToken).ConfigureAwait(false);
        var command = client.CreateCommand(ShellQuote.Join(program, arguments));
        try
        {
            return new RemoteProcess(command, Host, program);
        }
        catch (Exception ex) when (ex is SshConnectionException or SocketException or ObjectDisposedException)
        {
            command.Dispose();
            await DropAsync().ConfigureAwait(false);
            throw new IOException($"Connection to {Host} dropped while starting {program}: {ex.Message}", ex);
        }
        catch
        {
            command.Dispose();
            throw;
        }
    }

    public async ValueTask DisposeAsync()
    {
        await DropAsync().ConfigureAwait(false);
        _connectGate.Dispose();
    }

    private async Task<SshClient> ConnectedAsync(CancellationToken cancellationToken)
    {
        await _connectGate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (_client is { IsConnected: true } connected)
            {
                return connected;
            }

            _client?.Dispose();
            _client = null;
            var client = await SshClientConnector.ConnectAsync(Host, _options, _knownHosts, _options.KeepAliveInterval, cancellationToken)
                .ConfigureAwait(false);
            Connections++;
            return _client = client;
        }
        finally
        {
            _connectGate.Release();
        }
    }

    private async Task DropAsync()
    {
        await _connectGate.WaitAsync().ConfigureAwait(false);
        try
        {
            _client?.Dispose();
            _client = null;
        }
        finally
        {
            _connectGate.Release();
        }
    }
}
