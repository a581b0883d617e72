using System.Buffers;

namespace BuzzTalk.Scaler.Webhooks;

/// <summary>
/// A request body read into a buffer rented from the shared pool, returned on dispose. Webhook
/// bodies run up to <c>MaxBodyBytes</c> (256 KiB): a new array for each would land on the large
/// object heap, which only a full collection frees, so a stream of large bodies grew the Scaler's
/// resident memory by tens of MB and kept it (issue 16).
/// </summary>
public sealed class RequestBody : IDisposable
{
    private byte[]? _buffer;

    private RequestBody(byte[] buffer, int length)
    {
        _buffer = buffer;
        Length = length;
    }

    public int Length { get; }

    public ReadOnlySpan<byte> Span => (_buffer ?? throw new ObjectDisposedException(nameof(RequestBody))).AsSpan(0, Length);

    /// <summary>The body read from <paramref name="body"/>, or null when it is longer than <paramref name="limit"/> (read no further than that).</summary>
    /// <param name="body">The request's body stream.</param>
    /// <param name="declaredLength">The Content-Length, when sent: the body must be exactly that long.</param>
    /// <param name="limit">The most bytes accepted.</param>
    /// <param name="cancellationToken">The request's token.</param>
    public static async Task<RequestBody?> ReadAsync(Stream body, long? declaredLength, int limit, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(body);
        if (declaredLength > limit)
        {
            return null;
        }

        // One more byte than the limit when the length is not declared, to tell "at the limit" from "over it".
        var buffer = ArrayPool<byte>.Shared.Rent(declaredLength is { } length ? (int)Math.Max(length, 1) : limit + 1);
        try
        {
            var capacity = declaredLength is { } declared ? (int)declared : limit + 1;
            var filled = 0;
            int read;
            while (filled < capacity && (read = await body.ReadAsync(buffer.AsMemory(filled, capacity - filled), cancellationToken).ConfigureAwait(false)) > 0)
            {
                filled += read;
            }

            if (declaredLength is { } expected && filled != expected)
            {
                throw new BadHttpRequestException("The body ended before its Content-Length.");
            }

            if (filled > limit)
            {
                ArrayPool<byte>.Shared.Return(buffer);
                return null;
            }

            return new RequestBody(buffer, filled);
        }
        catch
        {
            ArrayPool<byte>.Shared.Return(buffer);
            throw;
        }
    }

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _buffer, null) is { } buffer)
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }
}
