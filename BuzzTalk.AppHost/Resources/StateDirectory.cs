namespace BuzzTalk.AppHost.Resources;

/// <summary>
/// The one place the local stack writes to. It survives AppHost restarts, so MySQL and Redis
/// keep their data; deleting it starts from scratch.
/// </summary>
public sealed class StateDirectory
{
    // Named while the model is built, made when the app starts (a publish makes none).
    private readonly Dictionary<string, bool> _directories = new(StringComparer.Ordinal);

    public StateDirectory(string appHostDirectory, string configured)
    {
        Root = Path.GetFullPath(Path.IsPathRooted(configured) ? configured : Path.Combine(appHostDirectory, configured));
    }

    public string Root { get; }

    /// <summary>
    /// A sub-directory's path; <see cref="Create"/> makes it. Private ones are for the current
    /// user only; nginx's workers run as another user and need to reach theirs.
    /// </summary>
    public string Directory(string name, bool isPrivate = true)
    {
        lock (_directories)
        {
            _directories[name] = _directories.TryGetValue(name, out var wasPrivate) ? wasPrivate && isPrivate : isPrivate;
        }

        return Path.Combine(Root, name);
    }

    /// <summary>Makes every directory the model named, with its mode: when the app starts, before any resource.</summary>
    public void Create()
    {
        KeyValuePair<string, bool>[] directories;
        lock (_directories)
        {
            directories = [.. _directories];
        }

        foreach (var (name, isPrivate) in directories)
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
        }
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
