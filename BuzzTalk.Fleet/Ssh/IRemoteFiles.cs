namespace BuzzTalk.Fleet.Ssh;

/// <summary>Files on one host (SFTP): written whole and atomically, with their mode set first.</summary>
public interface IRemoteFiles
{
    string Host { get; }

    /// <summary>
    /// Writes <paramref name="content"/> to a temporary file beside <paramref name="path"/>, sets
    /// its mode, then renames it over the target: readers see the old file or the new one.
    /// Missing parent directories are created.
    /// </summary>
    Task WriteFileAsync(string path, ReadOnlyMemory<byte> content, UnixFileMode mode, CancellationToken cancellationToken = default);

    /// <summary>The file's bytes, or null when it does not exist.</summary>
    Task<byte[]?> ReadFileAsync(string path, CancellationToken cancellationToken = default);
}
