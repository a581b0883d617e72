namespace BuzzTalk.AppHost.Runtime;

/// <summary>The Debian executables the processes profile runs, found once by absolute path.</summary>
public sealed record HostTools(string RedisServer, string MariaDbd, string MariaDbInstallDb, string Nginx, string Python)
{
    // Debian's interpreter: it sees python3-django and friends, a pyenv python3 on PATH does not.
    public const string DebianPython = "/usr/bin/python3";

    public static HostTools Find()
    {
        var missing = new List<string>();
        string Need(string name) => Locate(name) ?? Missing(name);
        string Missing(string name)
        {
            missing.Add(name);
            return name;
        }

        var tools = new HostTools(
            Need("redis-server"), Need("mariadbd"), Need("mariadb-install-db"), Need("nginx"),
            File.Exists(DebianPython) ? DebianPython : Missing(DebianPython));

        if (missing.Count > 0)
        {
            throw new InvalidOperationException(
                $"The processes profile needs {string.Join(", ", missing)}: run eng/install-deps.sh first.");
        }

        return tools;
    }

    /// <summary>Searches PATH and the sbin directories a non-root PATH often lacks.</summary>
    public static string? Locate(string name)
    {
        var path = Environment.GetEnvironmentVariable("PATH") ?? "";
        return path.Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Concat(["/usr/sbin", "/sbin", "/usr/bin", "/bin"])
            .Select(dir => Path.Combine(dir, name))
            .FirstOrDefault(File.Exists);
    }
}
