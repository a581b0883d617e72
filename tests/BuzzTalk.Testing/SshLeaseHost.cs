namespace BuzzTalk.Testing;

/// <summary>
/// A real sshd on loopback and a lease directory of its own: the host the lease, gate and engine
/// tests reach over SSH. Disposing stops the server and deletes the directory.
/// </summary>
public sealed class SshLeaseHost : IAsyncDisposable
{
    private readonly ScratchDirectory _leaseDirectory = new();

    private SshLeaseHost(SshServer server) => Server = server;

    public SshServer Server { get; }

    public string LeaseDirectory => _leaseDirectory.Path;

    /// <summary>The file whose flock the lease gate and fence take.</summary>
    public string LockFile => Path.Combine(LeaseDirectory, ".deploy.lock");

    public static async Task<SshLeaseHost> StartAsync() => new(await SshServer.StartAsync().ConfigureAwait(false));

    public async ValueTask DisposeAsync()
    {
        await Server.DisposeAsync().ConfigureAwait(false);
        _leaseDirectory.Dispose();
    }
}
