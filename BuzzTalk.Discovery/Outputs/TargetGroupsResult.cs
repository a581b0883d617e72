using BuzzTalk.Discovery.Providers;

namespace BuzzTalk.Discovery.Outputs;

/// <summary>
/// An http_sd answer streamed from the inventory with its Content-Length (as <c>SizedResults</c> answers, so
/// HTTP/1.0 keep-alive clients keep their connection): one pass counts the bytes, a second writes them. The
/// body is never held whole, whatever the number of instances.
/// </summary>
public sealed class TargetGroupsResult(IReadOnlyList<DiscoveredInstance> instances, int? port) : IResult
{
    public const string ContentType = "application/json; charset=utf-8";

    public async Task ExecuteAsync(HttpContext httpContext)
    {
        var response = httpContext.Response;
        var cancellationToken = httpContext.RequestAborted;
        await using (var counter = new CountingStream())
        {
            await TargetGroupJsonWriter.WriteAsync(counter, instances, port, cancellationToken).ConfigureAwait(false);
            response.ContentLength = counter.Count;
        }

        response.StatusCode = StatusCodes.Status200OK;
        response.ContentType = ContentType;
        await TargetGroupJsonWriter.WriteAsync(response.Body, instances, port, cancellationToken).ConfigureAwait(false);
    }

    private sealed class CountingStream : Stream
    {
        public long Count { get; private set; }

        public override bool CanRead => false;

        public override bool CanSeek => false;

        public override bool CanWrite => true;

        public override long Length => Count;

        public override long Position { get => Count; set => throw new NotSupportedException(); }

        public override void Write(byte[] buffer, int offset, int count) => Count += count;

        public override void Write(ReadOnlySpan<byte> buffer) => Count += buffer.Length;

        public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
        {
            Count += buffer.Length;
            return ValueTask.CompletedTask;
        }

        public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken)
        {
            Count += count;
            return Task.CompletedTask;
        }

        public override void Flush()
        {
        }

        public override Task FlushAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();
    }
}
