using System.Buffers;
using System.IO.Pipelines;
using System.Text;
using Renci.SshNet;

namespace BuzzTalk.Fleet.Ssh;

/// <summary>
/// A long-lived program on a host, on its own SSH exec channel of the host's connection, spoken
/// to through its standard input and output (a helper shell, <c>docker system dial-stdio</c>).
/// Starting one costs a channel and a process once; every exchange after that is a write and a
/// read on the open channel. SSH.NET's output stream only blocks, so one background thread per
/// process copies it into a pipe: readers wait asynchronously and no pool thread is held while
/// the process idles.
/// </summary>
public sealed class RemoteProcess : IAsyncDisposable
{
    private const int MaxLine = 4096;
    private readonly SshCommand _command;
    private readonly Stream _input;
    private readonly Pipe _output = new(new PipeOptions(useSynchronizationContext: false));
    private readonly Task _execution;
    private int _disposed;

    /// <summary>Opens the channel and starts the command (SSH.NET opens channels synchronously).</summary>
    internal RemoteProcess(SshCommand command, string host, string program)
    {
        _command = command;
        Host = host;
        Program = program;
        _execution = command.ExecuteAsync();
        _input = command.CreateInputStream();
        var output = command.OutputStream;
        // It only copies bytes: a small stack is plenty.
        new Thread(() => Pump(output), maxStackSize: 256 * 1024) { IsBackground = true, Name = "ssh-stdout" }.Start();
    }

    public string Host { get; }

    public string Program { get; }

    /// <summary>The process's standard output.</summary>
    public PipeReader Output => _output.Reader;

    /// <summary>Whether the process (or its channel, or the connection) has ended.</summary>
    public bool HasExited => _execution.IsCompleted || Volatile.Read(ref _disposed) != 0;

    /// <summary>Sends bytes to the process's standard input; an <see cref="IOException"/> once it has ended.</summary>
    public void Write(ReadOnlySpan<byte> data)
    {
        try
        {
            ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
            _input.Write(data);
        }
        catch (Exception ex) when (ex is ObjectDisposedException or InvalidOperationException or Renci.SshNet.Common.SshException)
        {
            // The process, its channel or the connection is gone: to a caller, a broken pipe.
            throw new IOException($"{Program} on {Host} can no longer be written to: {ex.Message}", ex);
        }
    }

    /// <summary>Sends one line (a newline is added).</summary>
    public void WriteLine(string line) => Write(Encoding.UTF8.GetBytes(line + "\n"));

    /// <summary>The next line of output without its newline; throws when the output ends first.</summary>
    public async Task<string> ReadLineAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            var read = await Output.ReadAsync(cancellationToken).ConfigureAwait(false);
            var buffer = read.Buffer;
            if (buffer.PositionOf((byte)'\n') is { } end)
            {
                var line = Encoding.UTF8.GetString(buffer.Slice(0, end));
                Output.AdvanceTo(buffer.GetPosition(1, end));
                return line;
            }

            if (buffer.Length > MaxLine)
            {
                Output.AdvanceTo(buffer.End);
                throw new IOException($"{Program} on {Host} printed a line longer than {MaxLine} bytes.");
            }

            if (read.IsCompleted)
            {
                Output.AdvanceTo(buffer.End);
                throw new IOException($"{Program} on {Host} ended{ExitText()}.");
            }

            Output.AdvanceTo(buffer.Start, buffer.End);
        }
    }

    /// <summary>
    /// Closes the channel: the process sees the end of its input (and sshd closes its output).
    /// Waits at most a moment for the channel to report closed.
    /// </summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        // Disposing sends EOF and CLOSE and waits for the peer's CLOSE: off the caller's thread.
        await Task.Run(() =>
        {
            Quietly(_input.Dispose);
            Quietly(_command.Dispose);
        }).ConfigureAwait(false);

        static void Quietly(Action close)
        {
            try
            {
                close();
            }
            catch (Exception ex) when (ex is IOException or ObjectDisposedException or InvalidOperationException or Renci.SshNet.Common.SshException)
            {
                // The channel or connection is already gone (its session may be disposed first): nothing left to close.
            }
        }
    }

    private string ExitText()
    {
        if (!_execution.IsCompleted)
        {
            return "";
        }

        var error = _command.ExitStatus is { } status ? $" (exit {status})" : "";
        try
        {
            var text = _command.Error.Trim();
            return text.Length == 0 ? error : $"{error}: {(text.Length > 500 ? text[..500] : text)}";
        }
        catch (ObjectDisposedException)
        {
            return error;
        }
    }

    private void Pump(Stream output)
    {
        var buffer = ArrayPool<byte>.Shared.Rent(16 * 1024);
        Exception? failure = null;
        try
        {
            int read;
            while ((read = output.Read(buffer, 0, buffer.Length)) > 0)
            {
                var flushed = _output.Writer.WriteAsync(buffer.AsMemory(0, read)).AsTask().GetAwaiter().GetResult();
                if (flushed.IsCompleted)
                {
                    break;
                }
            }
        }
        catch (Exception ex) when (ex is IOException or ObjectDisposedException or InvalidOperationException)
        {
            failure = ex;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
            _output.Writer.Complete(failure);
        }
    }
}
