using Renci.SshNet;
using Renci.SshNet.Common;

namespace BuzzTalk.Fleet.Ssh;

/// <summary>
/// <see cref="IRemoteFiles"/> over SFTP, with the same key authentication and pinned host key as
/// <see cref="SshHostSession"/>. One connection, opened on first use and again after a drop.
/// </summary>
public sealed class SftpHostFiles : IRemoteFiles, IAsyncDisposable
{
    private readonly SshHostOptions _options;
    private readonly KnownHosts _knownHosts;
    private readonly SemaphoreSlim _gate = new(1, 1);
    private SftpClient? _client;

    public SftpHostFiles(string host, SshHostOptions options, KnownHosts? knownHosts = null)
    {
        Host = host;
        _options = options;
        _knownHosts = knownHosts ?? KnownHosts.Load(options.KnownHostsFile);
    }

    public string Host { get; }

    public async Task WriteFileAsync(string path, ReadOnlyMemory<byte> content, UnixFileMode mode, CancellationToken cancellationToken = default)
    {
        RequirePath(path);
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var client = await ConnectedAsync(cancellationToken).ConfigureAwait(false);
            var directory = path[..path.LastIndexOf('/')];
            await CreateDirectoriesAsync(client, directory, cancellationToken).ConfigureAwait(false);
            var temporary = $"{directory}/.{Path.GetFileName(path)}.{Guid.NewGuid():N}.tmp";
            try
            {
                // Created with the final mode before any byte is written: a secret is never readable by others.
                using (var stream = await client.OpenAsync(temporary, FileMode.CreateNew, FileAccess.Write, cancellationToken).ConfigureAwait(false))
                {
                    // SSH.NET takes the mode as its octal digits read in decimal (600 for 0600).
                    client.ChangePermissions(temporary, short.Parse(Convert.ToString((int)mode, 8), System.Globalization.CultureInfo.InvariantCulture));
                    await stream.WriteAsync(content, cancellationToken).ConfigureAwait(false);
                }

                // posix-rename@openssh.com replaces the target atomically (plain SFTP rename refuses an existing target).
                client.RenameFile(temporary, path, isPosix: true);
            }
            catch
            {
                TryDelete(client, temporary);
                throw;
            }
        }
        catch (Exception ex) when (ex is SshConnectionException or System.Net.Sockets.SocketException or ObjectDisposedException)
        {
            Drop();
            throw new IOException($"SFTP connection to {Host} dropped while writing {path}: {ex.Message}", ex);
        }
        finally
        {
            _gate.Release();
        }
    }

    public async Task<byte[]?> ReadFileAsync(string path, CancellationToken cancellationToken = default)
    {
        RequirePath(path);
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var client = await ConnectedAsync(cancellationToken).ConfigureAwait(false);
            try
            {
                using var stream = await client.OpenAsync(path, FileMode.Open, FileAccess.Read, cancellationToken).ConfigureAwait(false);
                using var buffer = new MemoryStream();
                await stream.CopyToAsync(buffer, cancellationToken).ConfigureAwait(false);
                return buffer.ToArray();
            }
            catch (SftpPathNotFoundException)
            {
                return null;
            }
        }
        catch (Exception ex) when (ex is SshConnectionException or System.Net.Sockets.SocketException or ObjectDisposedException)
        {
            Drop();
            throw new IOException($"SFTP connection to {Host} dropped while reading {path}: {ex.Message}", ex);
        }
        finally
        {
            _gate.Release();
        }
    }

    public ValueTask DisposeAsync()
    {
        Drop();
        _gate.Dispose();
        return ValueTask.CompletedTask;
    }

    private async Task<SftpClient> ConnectedAsync(CancellationToken cancellationToken)
    {
        if (_client is { IsConnected: true } connected)
        {
            return connected;
        }

        Drop();
        var client = await SshClientConnector.ConnectAsync(Host, _options, _knownHosts,
            info => new SftpClient(info) { KeepAliveInterval = _options.KeepAliveInterval, OperationTimeout = _options.CommandTimeout },
            cancellationToken).ConfigureAwait(false);
        return _client = client;
    }

    private static async Task CreateDirectoriesAsync(SftpClient client, string directory, CancellationToken cancellationToken)
    {
        var path = "";
        foreach (var part in directory.Split('/', StringSplitOptions.RemoveEmptyEntries))
        {
            path += "/" + part;
            if (!await client.ExistsAsync(path, cancellationToken).ConfigureAwait(false))
            {
                await client.CreateDirectoryAsync(path, cancellationToken).ConfigureAwait(false);
            }
        }
    }

    private static void TryDelete(SftpClient client, string path)
    {
        try
        {
            client.DeleteFile(path);
        }
        catch (SshException)
        {
            // Nothing was created, or the connection is gone.
        }
    }

    private static void RequirePath(string path)
    {
        if (!path.StartsWith('/') || path.EndsWith('/') || path.Split('/').Any(p => p is "." or ".."))
        {
            throw new ArgumentException($"'{path}' is not an absolute file path.", nameof(path));
        }
    }

    private void Drop()
    {
        _client?.Dispose();
        _client = null;
    }
}
