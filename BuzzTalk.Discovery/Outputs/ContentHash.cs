using System.Security.Cryptography;

namespace BuzzTalk.Discovery.Outputs;

/// <summary>
/// SHA-256 of what a writer produces or a file holds, computed while streaming: an output is compared with what
/// was written before without holding either in memory.
/// </summary>
public static class ContentHash
{
    public static async Task<byte[]> OfAsync(Func<Stream, CancellationToken, Task> write, CancellationToken cancellationToken)
    {
        await using var stream = new HashingStream();
        await write(stream, cancellationToken).ConfigureAwait(false);
        return stream.Hash();
    }

    /// <summary>The hash of a file's content; null when it does not exist.</summary>
    public static async Task<byte[]?> OfFileAsync(string path, CancellationToken cancellationToken)
    {
        try
        {
            await using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete, 1, FileOptions.Asynchronous);
            return await SHA256.HashDataAsync(file, cancellationToken).ConfigureAwait(false);
        }
        catch (FileNotFoundException)
        {
            return null;
        }
        catch (DirectoryNotFoundException)
        {
            return null;
        }
    }

    /// <summary>A write-only stream that only hashes what is written to it.</summary>
    private sealed class HashingStream : WriteOnlySink
    {
        private readonly IncrementalHash _hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);

        public byte[] Hash() => _hash.GetHashAndReset();

        protected override void Append(ReadOnlySpan<byte> buffer) => _hash.AppendData(buffer);

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                _hash.Dispose();
            }

            base.Dispose(disposing);
        }
    }
}
