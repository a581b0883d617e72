using System.Buffers;
using System.Globalization;
using System.IO.Pipelines;
using System.Text;
using BuzzTalk.Fleet.Ssh;

namespace BuzzTalk.Fleet.Swarm;

/// <summary>
/// HTTP/1.1 to a host's Docker Engine API through a long-lived <c>docker system dial-stdio</c>
/// process (the docker CLI's own way of reaching a remote engine over SSH): one request at a time
/// on a kept-alive connection, so a call costs a round trip instead of an SSH exec and a docker
/// CLI start. Only what the engine sends is read: Content-Length or chunked bodies, bounded.
/// Any failure leaves the stream out of step: the caller disposes the channel.
/// </summary>
public sealed class EngineChannel(RemoteProcess process) : IAsyncDisposable
{
    private const int MaxHeaderBytes = 64 * 1024;
    private const int MaxBodyBytes = 16 * 1024 * 1024;
    private bool _broken;

    public string Host => process.Host;

    public bool IsUsable => !_broken && !process.HasExited;

    /// <summary>Sends one request and reads its whole answer.</summary>
    public async Task<EngineResponse> SendAsync(string method, string pathAndQuery, ReadOnlyMemory<byte> body, CancellationToken cancellationToken)
    {
        if (!IsUsable)
        {
            throw new InvalidOperationException($"The engine channel to {Host} is no longer usable.");
        }

        try
        {
            var head = $"{method} {pathAndQuery} HTTP/1.1\r\nHost: docker\r\nUser-Agent: BuzzTalk.Fleet\r\n"
                + (body.IsEmpty && method == "GET" ? "" : $"Content-Type: application/json\r\nContent-Length: {body.Length.ToString(CultureInfo.InvariantCulture)}\r\n")
                + "\r\n";
            var request = new byte[Encoding.ASCII.GetByteCount(head) + body.Length];
            var written = Encoding.ASCII.GetBytes(head, request);
            body.Span.CopyTo(request.AsSpan(written));
            process.Write(request);
            return await ReadResponseAsync(cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            _broken = true;
            throw;
        }
    }

    public ValueTask DisposeAsync() => process.DisposeAsync();

    private async Task<EngineResponse> ReadResponseAsync(CancellationToken cancellationToken)
    {
        var reader = process.Output;
        var (status, length, chunked, close) = await ReadHeadAsync(reader, cancellationToken).ConfigureAwait(false);
        byte[] content;
        if (chunked)
        {
            content = await ReadChunkedAsync(reader, cancellationToken).ConfigureAwait(false);
        }
        else if (length is { } n)
        {
            content = await ReadExactlyAsync(reader, n, cancellationToken).ConfigureAwait(false);
        }
        else
        {
            // No length and not chunked: the body runs to the end of the connection, which this
            // channel never has. The engine does not answer so; refuse rather than hang.
            throw new IOException($"Engine on {Host} answered {status} without a length.");
        }

        if (close)
        {
            _broken = true;
        }

        return new EngineResponse(status, content);
    }

    private async Task<(int Status, long? Length, bool Chunked, bool Close)> ReadHeadAsync(PipeReader reader, CancellationToken cancellationToken)
    {
        while (true)
        {
            var read = await reader.ReadAsync(cancellationToken).ConfigureAwait(false);
            var buffer = read.Buffer;
            var end = Find(buffer, "\r\n\r\n"u8);
            if (end is { } position)
            {
                var head = Encoding.ASCII.GetString(buffer.Slice(0, position));
                reader.AdvanceTo(buffer.GetPosition(4, position));
                return ParseHead(head);
            }

            if (buffer.Length > MaxHeaderBytes)
            {
                throw new IOException($"Engine on {Host} sent a header over {MaxHeaderBytes} bytes.");
            }

            if (read.IsCompleted)
            {
                throw new IOException($"Engine channel to {Host} ended before an answer.");
            }

            reader.AdvanceTo(buffer.Start, buffer.End);
        }
    }

    private (int Status, long? Length, bool Chunked, bool Close) ParseHead(string head)
    {
        var lines = head.Split("\r\n");
        var statusLine = lines[0].Split(' ', 3);
        if (statusLine.Length < 2 || !statusLine[0].StartsWith("HTTP/1.", StringComparison.Ordinal)
            || !int.TryParse(statusLine[1], NumberStyles.None, CultureInfo.InvariantCulture, out var status))
        {
            throw new IOException($"Engine on {Host} sent no HTTP status line.");
        }

        long? length = null;
        bool chunked = false, close = false;
        foreach (var line in lines.Skip(1))
        {
            var colon = line.IndexOf(':', StringComparison.Ordinal);
            if (colon <= 0)
            {
                continue;
            }

            var name = line[..colon].Trim();
            var value = line[(colon + 1)..].Trim();
            if (name.Equals("Content-Length", StringComparison.OrdinalIgnoreCase))
            {
                length = long.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n <= MaxBodyBytes
                    ? n : throw new IOException($"Engine on {Host} sent Content-Length '{value}'.");
            }
            else if (name.Equals("Transfer-Encoding", StringComparison.OrdinalIgnoreCase))
            {
                chunked = value.Contains("chunked", StringComparison.OrdinalIgnoreCase);
            }
            else if (name.Equals("Connection", StringComparison.OrdinalIgnoreCase))
            {
                close = value.Contains("close", StringComparison.OrdinalIgnoreCase);
            }
        }

        // 1xx, 204 and 304 carry no body.
        return status is < 200 or 204 or 304 ? (status, 0, false, close) : (status, length, chunked, close);
    }

    private async Task<byte[]> ReadChunkedAsync(PipeReader reader, CancellationToken cancellationToken)
    {
        using var body = new MemoryStream();
        while (true)
        {
            var sizeLine = await ReadLineAsync(reader, cancellationToken).ConfigureAwait(false);
            var hex = sizeLine.Split(';', 2)[0].Trim();
            if (!long.TryParse(hex, NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var size) || size < 0
                || body.Length + size > MaxBodyBytes)
            {
                throw new IOException($"Engine on {Host} sent a bad chunk size '{(hex.Length > 20 ? hex[..20] : hex)}'.");
            }

            if (size == 0)
            {
                // Trailers, if any, up to the empty line.
                while ((await ReadLineAsync(reader, cancellationToken).ConfigureAwait(false)).Length > 0)
                {
                }

                return body.ToArray();
            }

            body.Write(await ReadExactlyAsync(reader, size, cancellationToken).ConfigureAwait(false));
            if ((await ReadLineAsync(reader, cancellationToken).ConfigureAwait(false)).Length != 0)
            {
                throw new IOException($"Engine on {Host} sent a chunk without its CRLF.");
            }
        }
    }

    private async Task<string> ReadLineAsync(PipeReader reader, CancellationToken cancellationToken)
    {
        while (true)
        {
            var read = await reader.ReadAsync(cancellationToken).ConfigureAwait(false);
            var buffer = read.Buffer;
            if (Find(buffer, "\r\n"u8) is { } end)
            {
                var line = Encoding.ASCII.GetString(buffer.Slice(0, end));
                reader.AdvanceTo(buffer.GetPosition(2, end));
                return line;
            }

            if (buffer.Length > 1024 || read.IsCompleted)
            {
                throw new IOException($"Engine channel to {Host} ended or sent a line over 1024 bytes inside a chunked body.");
            }

            reader.AdvanceTo(buffer.Start, buffer.End);
        }
    }

    private async Task<byte[]> ReadExactlyAsync(PipeReader reader, long count, CancellationToken cancellationToken)
    {
        var result = new byte[count];
        var filled = 0;
        while (filled < count)
        {
            var read = await reader.ReadAsync(cancellationToken).ConfigureAwait(false);
            var buffer = read.Buffer;
            var take = buffer.Slice(0, Math.Min(buffer.Length, count - filled));
            take.CopyTo(result.AsSpan(filled));
            filled += (int)take.Length;
            reader.AdvanceTo(take.End);
            if (filled < count && read.IsCompleted)
            {
                throw new IOException($"Engine channel to {Host} ended inside a body.");
            }
        }

        return result;
    }

    private static SequencePosition? Find(ReadOnlySequence<byte> buffer, ReadOnlySpan<byte> delimiter)
    {
        var reader = new SequenceReader<byte>(buffer);
        return reader.TryReadTo(out ReadOnlySequence<byte> _, delimiter, advancePastDelimiter: false) ? reader.Position : null;
    }
}
