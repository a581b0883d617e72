using System.Formats.Tar;
using System.IO.Compression;
using BuzzTalk.Deployer.Rollout;

namespace BuzzTalk.Deployer.Releases;

/// <summary>
/// A release's instance files as the tar.gz a booting instance unpacks: entries in ordinal order
/// with fixed times and modes, so the same release always gives the same bytes.
/// </summary>
public static class ReleaseArchive
{
    private static readonly DateTimeOffset s_epoch = DateTimeOffset.UnixEpoch;

    public static byte[] Create(ReleaseContent release)
    {
        ArgumentNullException.ThrowIfNull(release);
        using var output = new MemoryStream();
        using (var gzip = new GZipStream(output, CompressionLevel.Optimal, leaveOpen: true))
        using (var tar = new TarWriter(gzip, TarEntryFormat.Ustar, leaveOpen: true))
        {
            foreach (var (path, content) in release.Files.OrderBy(f => f.Key, StringComparer.Ordinal))
            {
                var entry = new UstarTarEntry(TarEntryType.RegularFile, path)
                {
                    DataStream = new MemoryStream(content, writable: false),
                    ModificationTime = s_epoch,
                    Mode = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead,
                };
                tar.WriteEntry(entry);
            }
        }

        return output.ToArray();
    }

    /// <summary>The regular files of a release archive (path → bytes); refuses paths that leave the archive.</summary>
    public static IReadOnlyDictionary<string, byte[]> Read(byte[] archive)
    {
        ArgumentNullException.ThrowIfNull(archive);
        var files = new Dictionary<string, byte[]>(StringComparer.Ordinal);
        using var input = new MemoryStream(archive, writable: false);
        using var gzip = new GZipStream(input, CompressionMode.Decompress);
        using var tar = new TarReader(gzip);
        while (tar.GetNextEntry() is { } entry)
        {
            if (entry.EntryType is not (TarEntryType.RegularFile or TarEntryType.V7RegularFile) || entry.DataStream is null)
            {
                continue;
            }

            var name = entry.Name.TrimStart('.', '/');
            if (name.Length == 0 || name.Split('/').Any(part => part is "" or "." or ".."))
            {
                throw new InvalidDataException($"archive entry '{entry.Name}' is not a relative path");
            }

            using var content = new MemoryStream();
            entry.DataStream.CopyTo(content);
            files[name] = content.ToArray();
        }

        return files;
    }
}
