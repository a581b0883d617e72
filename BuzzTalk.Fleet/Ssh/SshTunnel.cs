using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Polly;
using Polly.Retry;
using Renci.SshNet;

namespace BuzzTalk.Fleet.Ssh;

/// <summary>
/// A local port forward (<c>ssh -L 127.0.0.1:port:remote:port</c>) with the host key pinned by
/// <c>known_hosts</c>, kept alive and repaired: a background loop watches the connection and a
/// health check through the tunnel, and on loss reconnects with exponential backoff and jitter on
/// the same local port.
/// </summary>
public sealed class SshTunnel : IAsyncDisposable
{
    // Only ever loopback: the forwarded service (MySQL, say) must not be exposed on the network.
    private const string LoopbackHost = "127.0.0.1";

    private readonly SshHostOptions _ssh;
    private readonly SshTunnelOptions _options;
    private readonly KnownHosts _knownHosts;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly Lock _gate = new();
    private readonly SemaphoreSlim _lifecycle = new(1, 1);
    private SshClient? _client;
    private ForwardedPortLocal? _port;
    private TaskCompletionSource<string> _lost = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private CancellationTokenSource? _loopCancel;
    private Task? _loop;
    private TunnelState _state = TunnelState.Stopped;
    private int _localPort;
    private int _connections;
    private bool _disposed;

    public SshTunnel(string host, SshHostOptions ssh, SshTunnelOptions tunnel, KnownHosts? knownHosts = null,
        TimeProvider? time = null, ILogger? logger = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(host);
        ArgumentNullException.ThrowIfNull(ssh);
        ArgumentNullException.ThrowIfNull(tunnel);
        tunnel.Validate();
        if (string.IsNullOrWhiteSpace(ssh.PrivateKeyFile))
        {
            throw new ArgumentException("SshHostOptions.PrivateKeyFile is required.", nameof(ssh));
        }

        if (ssh.Port is < 1 or > 65535)
        {
            throw new ArgumentException($"SshHostOptions.Port must be 1..65535 (got {ssh.Port}).", nameof(ssh));
        }

        if (knownHosts is null && string.IsNullOrWhiteSpace(ssh.KnownHostsFile))
        {
            // Never fall back to trusting whatever key the host presents (the seed's defect).
            throw new ArgumentException("SshHostOptions.KnownHostsFile is required: host keys are always checked.", nameof(ssh));
        }

        Host = host;
        _ssh = ssh;
        _options = tunnel;
        _knownHosts = knownHosts ?? KnownHosts.Load(ssh.KnownHostsFile);
        _time = time ?? TimeProvider.System;
        _logger = logger ?? NullLogger.Instance;
        _localPort = tunnel.LocalPort;
        _reconnect = new ResiliencePipelineBuilder { TimeProvider = _time }
            .AddRetry(new RetryStrategyOptions
            {
                // Every failure is retried, a rejected host key too: it stays refused, loudly, until fixed.
                ShouldHandle = args => ValueTask.FromResult(args.Outcome.Exception is { } ex
                    && (ex is not OperationCanceledException || !args.Context.CancellationToken.IsCancellationRequested)),
                MaxRetryAttempts = int.MaxValue,
                // Exponential from the minimum, capped, with jitter so many clients do not retry in step.
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = true,
                Delay = tunnel.ReconnectMinDelay,
                MaxDelay = tunnel.ReconnectMaxDelay,
                OnRetry = args =>
                {
                    Teardown();
                    SshTunnelLog.RetryFailed(_logger, Host, args.AttemptNumber + 1, args.RetryDelay, args.Outcome.Exception!);
                    return ValueTask.CompletedTask;
                },
            })
            .Build();
    }

    private readonly ResiliencePipeline _reconnect;

    /// <summary>Raised on every state change, on the thread that made it; a throwing handler is logged and ignored.</summary>
    public event EventHandler<TunnelStateChangedEventArgs>? StateChanged;

    /// <summary>The SSH server.</summary>
    public string Host { get; }

    /// <summary>The port on 127.0.0.1 that forwards to the remote end; 0 until a first start picked one.</summary>
    public int LocalPort => Volatile.Read(ref _localPort);

    public TunnelState State
    {
        get
        {
            lock (_gate)
            {
                return _state;
            }
        }
    }

    /// <summary>SSH connections opened so far (the first one and every reconnect).</summary>
    public int Connections => Volatile.Read(ref _connections);

    /// <summary>
    /// Connects and opens the local port, then starts the background loop. Throws (and leaves the
    /// tunnel <see cref="TunnelState.Stopped"/>, port closed) when the first connection fails,
    /// <see cref="HostKeyRejectedException"/> included.
    /// </summary>
    public async Task StartAsync(CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        await _lifecycle.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (_loop is not null)
            {
                throw new InvalidOperationException($"The tunnel via {Host} is already started.");
            }

            SetState(TunnelState.Connecting);
            try
            {
                await ConnectAsync(cancellationToken).ConfigureAwait(false);
            }
            catch
            {
                Teardown();
                SetState(TunnelState.Stopped);
                throw;
            }

            SetState(TunnelState.Up);
            _loopCancel = new CancellationTokenSource();
            var token = _loopCancel.Token;
            _loop = Task.Run(() => RunAsync(token), CancellationToken.None);
        }
        finally
        {
            _lifecycle.Release();
        }
    }

    /// <summary>
    /// Opens a TCP connection to the local port and confirms through it that the remote end
    /// accepts, as <see cref="SshTunnelOptions.CheckMode"/> says. False (never an exception) when
    /// the tunnel or the remote server is down.
    /// </summary>
    public async Task<bool> CheckAsync(CancellationToken cancellationToken = default)
    {
        var port = LocalPort;
        if (port == 0)
        {
            return false;
        }

        using var limit = new CancellationTokenSource(_options.CheckTimeout, _time);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, limit.Token);
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        var buffer = new byte[1];
        try
        {
            await socket.ConnectAsync(new IPEndPoint(IPAddress.Loopback, port), timeout.Token).ConfigureAwait(false);
            if (_options.CheckMode == TunnelCheckMode.ExpectBanner)
            {
                return await socket.ReceiveAsync(buffer, SocketFlags.None, timeout.Token).ConfigureAwait(false) > 0;
            }

            // A refused remote connection fails the SSH channel, and the local connection is closed
            // (read returns 0) right away; one that stays open has reached a listening server.
            using var settleLimit = new CancellationTokenSource(_options.CheckSettleTime, _time);
            using var settle = CancellationTokenSource.CreateLinkedTokenSource(timeout.Token, settleLimit.Token);
            try
            {
                return await socket.ReceiveAsync(buffer, SocketFlags.None, settle.Token).ConfigureAwait(false) > 0;
            }
            catch (OperationCanceledException) when (!timeout.IsCancellationRequested)
            {
                return true;
            }
        }
        catch (SocketException)
        {
            return false;
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return false;
        }
    }

    /// <summary>Completes when the tunnel is in <paramref name="state"/> (at once if it already is).</summary>
    public async Task WaitForStateAsync(TunnelState state, CancellationToken cancellationToken = default)
    {
        var reached = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        void OnChanged(object? sender, TunnelStateChangedEventArgs e)
        {
            if (e.Current == state)
            {
                reached.TrySetResult();
            }
        }

        StateChanged += OnChanged;
        try
        {
            if (State == state)
            {
                return;
            }

            using var registration = cancellationToken.Register(() => reached.TrySetCanceled(cancellationToken));
            await reached.Task.ConfigureAwait(false);
        }
        finally
        {
            StateChanged -= OnChanged;
        }
    }

    /// <summary>Stops the background loop, closes the local port and the SSH connection. Idempotent.</summary>
    public async Task StopAsync()
    {
        await _lifecycle.WaitAsync().ConfigureAwait(false);
        try
        {
            if (_loopCancel is not null)
            {
                await _loopCancel.CancelAsync().ConfigureAwait(false);
                await _loop!.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
                _loopCancel.Dispose();
                _loopCancel = null;
                _loop = null;
            }

            Teardown();
            if (State != TunnelState.Stopped)
            {
                SetState(TunnelState.Stopped);
                SshTunnelLog.Stopped(_logger, Host);
            }
        }
        finally
        {
            _lifecycle.Release();
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_disposed)
        {
            return;
        }

        await StopAsync().ConfigureAwait(false);
        _disposed = true;
        _lifecycle.Dispose();
    }

    private async Task RunAsync(CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            try
            {
                var reason = await WatchAsync(cancellationToken).ConfigureAwait(false);
                SshTunnelLog.Lost(_logger, Host, reason);
                SetState(TunnelState.Reconnecting);
                Teardown();
                await ReconnectAsync(cancellationToken).ConfigureAwait(false);
                SetState(TunnelState.Up);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return;
            }
        }
    }

    /// <summary>Returns why the tunnel is down: the connection dropped, or a health check failed.</summary>
    private async Task<string> WatchAsync(CancellationToken cancellationToken)
    {
        Task<string> lost;
        lock (_gate)
        {
            lost = _lost.Task;
        }

        while (true)
        {
            using (var wait = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken))
            {
                var tick = Task.Delay(_options.HealthInterval, _time, wait.Token);
                await Task.WhenAny(lost, tick).ConfigureAwait(false);
                await wait.CancelAsync().ConfigureAwait(false);
            }

            cancellationToken.ThrowIfCancellationRequested();
            if (lost.IsCompleted)
            {
                return await lost.ConfigureAwait(false);
            }

            if (!IsConnected())
            {
                return "connection closed";
            }

            if (!await CheckAsync(cancellationToken).ConfigureAwait(false))
            {
                return "health check failed";
            }
        }
    }

    private async Task ReconnectAsync(CancellationToken cancellationToken)
    {
        // A pause first: whatever broke the connection may still be breaking it.
        await Task.Delay(_options.ReconnectMinDelay, _time, cancellationToken).ConfigureAwait(false);
        await _reconnect.ExecuteAsync(async ct => await ConnectAsync(ct).ConfigureAwait(false), cancellationToken).ConfigureAwait(false);
    }

    private async Task ConnectAsync(CancellationToken cancellationToken)
    {
        var client = await SshClientConnector.ConnectAsync(Host, _ssh, _knownHosts, _options.KeepAliveInterval, cancellationToken)
            .ConfigureAwait(false);
        var lost = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        ForwardedPortLocal? port = null;
        try
        {
            client.ErrorOccurred += (_, e) => lost.TrySetResult(e.Exception.Message);
            // The same port on every reconnect: clients keep their configured address.
            port = new ForwardedPortLocal(LoopbackHost, (uint)LocalPort, _options.RemoteHost, (uint)_options.RemotePort);
            client.AddForwardedPort(port);
            port.Closing += (_, _) => lost.TrySetResult("local port closed");
            port.Start();
        }
        catch
        {
            port?.Dispose();
            client.Dispose();
            throw;
        }

        lock (_gate)
        {
            _client = client;
            _port = port;
            _lost = lost;
        }

        Volatile.Write(ref _localPort, (int)port.BoundPort);
        Interlocked.Increment(ref _connections);
        SshTunnelLog.Up(_logger, Host, _ssh.Port, LocalPort, _options.RemoteHost, _options.RemotePort);
    }

    private bool IsConnected()
    {
        lock (_gate)
        {
            return _client is { IsConnected: true } && _port is { IsStarted: true };
        }
    }

    private void Teardown()
    {
        SshClient? client;
        ForwardedPortLocal? port;
        lock (_gate)
        {
            client = _client;
            port = _port;
            _client = null;
            _port = null;
        }

        try
        {
            port?.Stop();
        }
        catch (Exception ex) when (ex is ObjectDisposedException or InvalidOperationException or SocketException or IOException)
        {
            // Already stopped with its dead session.
        }

        port?.Dispose();
        client?.Dispose();
    }

    private void SetState(TunnelState next)
    {
        TunnelState previous;
        lock (_gate)
        {
            previous = _state;
            if (previous == next)
            {
                return;
            }

            _state = next;
        }

        try
        {
            StateChanged?.Invoke(this, new TunnelStateChangedEventArgs(previous, next));
        }
#pragma warning disable CA1031 // A subscriber's bug must not stop the reconnect loop.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            SshTunnelLog.HandlerFailed(_logger, Host, ex);
        }
    }
}
