namespace BuzzTalk.AppHost.Tests;

/// <summary>A fresh directory under the system temp path, deleted on dispose.</summary>
public sealed class TempDirectory : IDisposable
{
    public TempDirectory()
    {
        // Short: MariaDB's socket path must stay under the 108-byte unix socket limit.
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
            // A process that has just exited may still be releasing a file; leave it to tmp cleaning.
        }
    }
}
