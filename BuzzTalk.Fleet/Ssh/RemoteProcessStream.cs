using System.Buffers;
using System.IO.Pipelines;

namespace BuzzTalk.Fleet.Ssh;

/// <summary>
/// A <see cref="RemoteProcess"/> as a duplex stream: writes go to its standard input, reads come
/// from its standard output. What a <c>SocketsHttpHandler</c> connect callback hands back for a
/// connection carried by <c>docker system dial-stdio</c>. Disposing the stream ends the process:
/// the handler closes a connection it can no longer use, and whatever was in flight on it is then
/// cut off with it.
/// </summary>
public sealed class RemoteProcessStream(RemoteProcess process) : Stream
{
    private readonly PipeReader _output = process.Output;
    private int _disposed;

    public override bool CanRead => true;

    public override bool CanWrite => true;

    public override bool CanSeek => false;

    public override long Length => throw new NotSupportedException();

    public override long Position
    {
        get => throw new NotSupportedException();
        set => throw new NotSupportedException();
    }

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        while (true)
        {
            var read = await _output.ReadAsync(cancellationToken).ConfigureAwait(false);
            var data = read.Buffer;
            if (read.IsCanceled)
            {
                // Disposed while a read waited (the handler's read-ahead on an idle connection): the end.
                _output.AdvanceTo(data.Start);
                return 0;
            }

            if (!data.IsEmpty)
            {
                // A zero-byte read (the handler asking whether anything arrived) consumes nothing.
                var count = (int)Math.Min(buffer.Length, data.Length);
                data.Slice(0, count).CopyTo(buffer.Span);
                _output.AdvanceTo(data.GetPosition(count));
                return count;
            }

            if (read.IsCompleted)
            {
                _output.AdvanceTo(data.End);
                return 0;
            }

            _output.AdvanceTo(data.Start, data.End);
        }
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override int Read(byte[] buffer, int offset, int count) => ReadAsync(buffer.AsMemory(offset, count)).AsTask().GetAwaiter().GetResult();

    // An ended process throws IOException: to the handler, a connection that broke.
    public override void Write(ReadOnlySpan<byte> buffer) => process.Write(buffer);

    public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

    public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        Write(buffer.Span);
        return ValueTask.CompletedTask;
    }

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    // SSH.NET sends each write as channel data at once.
    public override void Flush()
    {
    }

    public override Task FlushAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 0)
        {
            _output.CancelPendingRead();
            await process.DisposeAsync().ConfigureAwait(false);
        }

        await base.DisposeAsync().ConfigureAwait(false);
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing && Interlocked.Exchange(ref _disposed, 1) == 0)
        {
            _output.CancelPendingRead();
            // The process closes its channel off this thread (RemoteProcess.DisposeAsync); marked ended at once.
            _ = process.DisposeAsync().AsTask();
        }

        base.Dispose(disposing);
    }
}
