using System.Text;

namespace BuzzTalk.Publishing;

/// <summary>
/// Writes a composed bundle into the publish output directory. The bundle's own folders are
/// replaced whole, so a file dropped from the model does not linger from an earlier publish;
/// anything else in the directory (Aspire's manifest) is left alone.
/// </summary>
public static class BundleWriter
{
    private static readonly UTF8Encoding Utf8NoBom = new(encoderShouldEmitUTF8Identifier: false);

    public static async Task WriteAsync(string directory, IReadOnlyList<BundleFile> files, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(files);
        Directory.CreateDirectory(directory);
        foreach (var folder in BundleComposer.OwnedFolders)
        {
            var path = Path.Combine(directory, folder);
            if (Directory.Exists(path))
            {
                Directory.Delete(path, recursive: true);
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
