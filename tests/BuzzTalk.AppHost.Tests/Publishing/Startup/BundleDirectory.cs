using System.Runtime.Versioning;

namespace BuzzTalk.AppHost.Tests.Publishing.Startup;

/// <summary>Writes generated bundle files to disk the way the publish step would (mode 0755 for executables).</summary>
[SupportedOSPlatform("linux")]
public static class BundleDirectory
{
    public static void Write(string root, IEnumerable<BuzzTalk.Publishing.BundleFile> files)
    {
        foreach (var file in files)
        {
            var path = Path.Combine(root, file.Path);
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            File.WriteAllText(path, file.Content);
            if (file.Executable)
            {
                File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute
                    | UnixFileMode.GroupRead | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherExecute);
            }
        }
    }

    /// <summary>A small executable script (a fake tool) with the given bash body.</summary>
    public static string FakeTool(string directory, string name, string body)
    {
        Directory.CreateDirectory(directory);
        var path = Path.Combine(directory, name);
        File.WriteAllText(path, "#!/usr/bin/env bash\nset -euo pipefail\n" + body.ReplaceLineEndings("\n") + "\n");
        File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        return path;
    }
}
