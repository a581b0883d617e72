namespace BuzzTalk.Testing;

/// <summary>A fresh directory under the system temp path, deleted on dispose.</summary>
public sealed class ScratchDirectory : IDisposable
{
    public ScratchDirectory()
    {
        // Short: a unix socket path inside it must stay under 108 bytes.
        Path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "bt-" + Guid.NewGuid().ToString("N")[..10]);
        Directory.CreateDirectory(Path);
    }

    public string Path { get; }

    public void Dispose()
    {
        try
        {
            Directory.Delete(Path, recursive: true);
        }
        catch (IOException)
        {
            // A server that has just exited may still be releasing a file.
        }
    }
}
