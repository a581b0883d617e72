namespace BuzzTalk.AppHost.Resources;

/// <summary>
/// The one place the local stack writes to. It survives AppHost restarts, so MySQL and Redis
/// keep their data; deleting it starts from scratch.
/// </summary>
public sealed class StateDirectory
{
    public StateDirectory(string appHostDirectory, string configured)
    {
        Root = Path.GetFullPath(Path.IsPathRooted(configured) ? configured : Path.Combine(appHostDirectory, configured));
    }

    public string Root { get; }

    /// <summary>
    /// A sub-directory, created on first use. Private ones are for the current user only;
    /// nginx's workers run as another user and need to reach theirs.
    /// </summary>
    public string Directory(string name, bool isPrivate = true)
    {
        var path = Path.Combine(Root, name);
        System.IO.Directory.CreateDirectory(path);
        if (!OperatingSystem.IsWindows())
        {
            var mode = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;
            if (!isPrivate)
            {
                mode |= UnixFileMode.GroupRead | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherExecute;
            }

            File.SetUnixFileMode(path, mode);
        }

        return path;
    }

    /// <summary>Writes a file only its owner can read: some hold secrets.</summary>
    public static void WritePrivateFile(string path, string content)
    {
        var temp = path + ".tmp";
        var options = new FileStreamOptions { Mode = FileMode.Create, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }

        using (var stream = new FileStream(temp, options))
        using (var writer = new StreamWriter(stream))
        {
            writer.Write(content);
        }

        File.Move(temp, path, overwrite: true);
    }
}
