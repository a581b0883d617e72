using Renci.SshNet;

namespace BuzzTalk.Fleet.Ssh;

/// <summary>
/// Opens an SSH connection with key authentication and the host key pinned by <c>known_hosts</c>:
/// the one place where host keys are checked, shared by <see cref="SshHostSession"/> and
/// <see cref="SshTunnel"/>.
/// </summary>
internal static class SshClientConnector
{
    /// <summary>
    /// Connects, or throws <see cref="HostKeyRejectedException"/> when the host's key is not the
    /// pinned one (authentication never starts then). The caller owns the returned client.
    /// </summary>
    public static Task<SshClient> ConnectAsync(string host, SshHostOptions options, KnownHosts knownHosts,
        TimeSpan keepAliveInterval, CancellationToken cancellationToken) =>
        ConnectAsync(host, options, knownHosts, info => new SshClient(info) { KeepAliveInterval = keepAliveInterval }, cancellationToken);

    /// <summary>The same for any SSH.NET client (SFTP too), built from the connection info.</summary>
    public static async Task<TClient> ConnectAsync<TClient>(string host, SshHostOptions options, KnownHosts knownHosts,
        Func<ConnectionInfo, TClient> create, CancellationToken cancellationToken)
        where TClient : BaseClient
    {
        var key = new PrivateKeyFile(options.PrivateKeyFile);
        var info = new ConnectionInfo(host, options.Port, options.User, new PrivateKeyAuthenticationMethod(options.User, key))
        {
            Timeout = options.ConnectTimeout,
        };
        var client = create(info);
        HostKeyRejectedException? rejected = null;
        client.HostKeyReceived += (_, e) =>
        {
            var verdict = knownHosts.Verify(host, options.Port, KeyType(e.HostKeyName), e.HostKey);
            e.CanTrust = verdict == HostKeyVerdict.Trusted;
            if (!e.CanTrust)
            {
                rejected = new HostKeyRejectedException(host, options.Port, verdict, e.FingerPrintSHA256);
            }
        };

        try
        {
            await client.ConnectAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception) when (rejected is not null)
        {
            client.Dispose();
            throw rejected;
        }
        catch
        {
            client.Dispose();
            throw;
        }

        return client;
    }

    /// <summary>RSA keys are negotiated as rsa-sha2-*, but known_hosts names the key type ssh-rsa.</summary>
    private static string KeyType(string algorithm) =>
        algorithm.StartsWith("rsa-sha2-", StringComparison.Ordinal) ? "ssh-rsa" : algorithm;
}
