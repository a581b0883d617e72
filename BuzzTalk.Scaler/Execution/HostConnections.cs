using System.Collections.Concurrent;
using BuzzTalk.Fleet.Ssh;
using BuzzTalk.Scaler.Configuration;
using Microsoft.Extensions.Options;

namespace BuzzTalk.Scaler.Execution;

/// <summary>One reused SSH session per host, keyed by the host's address.</summary>
public sealed class HostConnections(IOptions<ScalerOptions> options) : IAsyncDisposable
{
    private readonly ConcurrentDictionary<string, Lazy<SshHostSession>> _sessions = new(StringComparer.Ordinal);
    private readonly Lazy<KnownHosts> _knownHosts = new(() => KnownHosts.Load(options.Value.Ssh.KnownHostsFile));

    public IRemoteRunner For(string host) =>
        _sessions.GetOrAdd(host, h => new Lazy<SshHostSession>(() => new SshHostSession(h, options.Value.Ssh, _knownHosts.Value))).Value;

    public async ValueTask DisposeAsync()
    {
        foreach (var session in _sessions.Values.Where(s => s.IsValueCreated))
        {
            await session.Value.DisposeAsync().ConfigureAwait(false);
        }
    }
}
