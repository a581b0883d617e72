namespace BuzzTalk.Fleet.Ssh;

/// <summary>The host presented a key that <c>known_hosts</c> does not vouch for; nothing was sent to it.</summary>
public sealed class HostKeyRejectedException(string host, int port, HostKeyVerdict verdict, string fingerprint)
    : Exception(Describe(host, port, verdict, fingerprint))
{
    public HostKeyVerdict Verdict { get; } = verdict;

    private static string Describe(string host, int port, HostKeyVerdict verdict, string fingerprint) => verdict switch
    {
        HostKeyVerdict.Unknown => $"Host key of {host}:{port} (SHA256:{fingerprint}) is not in known_hosts; add it after checking it out of band.",
        HostKeyVerdict.Changed => $"Host key of {host}:{port} CHANGED (now SHA256:{fingerprint}); refusing to connect. Remove the old entry only if the host was rebuilt.",
        _ => $"Host key of {host}:{port} (SHA256:{fingerprint}) is revoked in known_hosts; refusing to connect.",
    };
}
