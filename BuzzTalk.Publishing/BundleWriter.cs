using System.Collections.Concurrent;
using System.Text;

namespace BuzzTalk.Publishing;

/// <summary>
/// Writes a composed bundle into the publish output directory. The bundle's own folders are
/// replaced whole, so a file dropped from the model does not linger from an earlier publish;
/// anything else in the directory (Aspire's manifest) is left alone. Writers of one directory in
/// this process take turns, and an old folder is moved aside before it is deleted, so a writer
/// elsewhere that adds files meanwhile cannot make the delete fail halfway.
/// </summary>
public static class BundleWriter
{
    private static readonly UTF8Encoding Utf8NoBom = new(encoderShouldEmitUTF8Identifier: false);

    private static readonly ConcurrentDictionary<string, SemaphoreSlim> Writers = new(StringComparer.Ordinal);

    private const string AsidePrefix = ".replaced-";

    public static async Task WriteAsync(string directory, IReadOnlyList<BundleFile> files, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(files);
        var turn = Writers.GetOrAdd(Path.GetFullPath(directory), _ => new SemaphoreSlim(1, 1));
        await turn.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            await WriteAloneAsync(directory, files, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            turn.Release();
        }
    }

    private static async Task WriteAloneAsync(string directory, IReadOnlyList<BundleFile> files, CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(directory);
        foreach (var folder in BundleComposer.OwnedFolders)
        {
            var path = Path.Combine(directory, folder);
            if (Directory.Exists(path))
            {
                var aside = Path.Combine(directory, AsidePrefix + folder + "-" + Guid.NewGuid().ToString("N"));
                Directory.Move(path, aside);
                Directory.Delete(aside, recursive: true);
            }
        }

        foreach (var file in files)
        {
            var path = Path.Combine(directory, file.Path.Replace('/', Path.DirectorySeparatorChar));
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            await File.WriteAllTextAsync(path, file.Content, Utf8NoBom, cancellationToken).ConfigureAwait(false);
            if (!OperatingSystem.IsWindows())
            {
                File.SetUnixFileMode(path, file.Executable
                    ? UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute | UnixFileMode.GroupRead | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherExecute
                    : UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead);
            }
        }
    }
}
