using System.Collections.Concurrent;
using BuzzTalk.Fleet.Ssh;
using BuzzTalk.Fleet.Swarm;
using BuzzTalk.Scaler.Configuration;
using Microsoft.Extensions.Options;

namespace BuzzTalk.Scaler.Execution;

/// <summary>
/// One reused SSH session per host, keyed by the host's address, and on it the host's Engine API
/// (<see cref="HostEngine"/>): the Scaler's one way to a swarm. Its fenced channel with the deploy
/// lease's gate is opened on first use and kept open; its read connections come and go.
/// </summary>
public sealed class HostConnections(IOptions<ScalerOptions> options) : IAsyncDisposable
{
    private readonly ConcurrentDictionary<string, Lazy<SshHostSession>> _sessions = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, Lazy<HostEngine>> _engines = new(StringComparer.Ordinal);
    private readonly Lazy<KnownHosts> _knownHosts = new(() => KnownHosts.Load(options.Value.Ssh.KnownHostsFile));

    public HostEngine Engine(string host) =>
        _engines.GetOrAdd(host, h => new Lazy<HostEngine>(() => new HostEngine(Session(h), options.Value.LeaseDirectory, options.Value.Docker))).Value;

    public async ValueTask DisposeAsync()
    {
        // Engines first: their channels live on the sessions.
        foreach (var engine in _engines.Values.Where(e => e.IsValueCreated))
        {
            await engine.Value.DisposeAsync().ConfigureAwait(false);
        }

        foreach (var session in _sessions.Values.Where(s => s.IsValueCreated))
        {
            await session.Value.DisposeAsync().ConfigureAwait(false);
        }
    }

    private SshHostSession Session(string host) =>
        _sessions.GetOrAdd(host, h => new Lazy<SshHostSession>(() => new SshHostSession(h, options.Value.Ssh, _knownHosts.Value))).Value;
}
