using System.Runtime.Versioning;
using BuzzTalk.Publishing;
using BuzzTalk.Publishing.OpsHost;
using BuzzTalk.Testing;

namespace BuzzTalk.AppHost.Tests.Publishing.OpsHost;

/// <summary>
/// A temporary root for <c>systemd-analyze verify --root</c>: this machine's distribution units,
/// minimal stand-ins for the packaged units a drop-in extends when this machine lacks them
/// (node, blackbox and redis exporters, Grafana), the generated units and drop-ins in
/// /etc/systemd/system, and a stub executable at every command path the units name (verify
/// refuses a unit whose binary is missing).
/// </summary>
[SupportedOSPlatform("linux")]
public static class SystemdRoot
{
    // The packaged units' commands as Debian (and Grafana's apt repository) ship them.
    private static readonly Dictionary<string, string> s_standIns = new(StringComparer.Ordinal)
    {
        ["prometheus.service"] = "/usr/bin/prometheus $ARGS",
        ["prometheus-alertmanager.service"] = "/usr/bin/prometheus-alertmanager $ARGS",
        ["prometheus-node-exporter.service"] = "/usr/bin/prometheus-node-exporter $ARGS",
        ["prometheus-blackbox-exporter.service"] = "/usr/bin/prometheus-blackbox-exporter $ARGS",
        ["prometheus-redis-exporter.service"] = "/usr/bin/prometheus-redis-exporter $ARGS",
        ["grafana-server.service"] = "/usr/share/grafana/bin/grafana server --config=${CONF_FILE} --packaging=deb",
    };

    public static async Task<string> BuildAsync(string directory, IEnumerable<BundleFile> files)
    {
        var root = Path.Combine(directory, "root");
        var vendor = Path.Combine(root, "usr", "lib", "systemd");
        Directory.CreateDirectory(vendor);
        await ToolRun.RunCheckedAsync("cp", directory, "-a", "/lib/systemd/system", vendor);
        var vendorUnits = Path.Combine(vendor, "system");
        foreach (var (unit, command) in s_standIns)
        {
            var path = Path.Combine(vendorUnits, unit);
            if (!File.Exists(path))
            {
                await File.WriteAllTextAsync(path,
                    $"[Unit]\nDescription=Stand-in for the packaged {unit}\n\n[Service]\nUser={(unit.StartsWith("grafana", StringComparison.Ordinal) ? "grafana" : "prometheus")}\n"
                    + $"EnvironmentFile=-/etc/default/{unit[..^".service".Length]}\nExecStart={command}\nRestart=on-failure\n\n"
                    + "[Install]\nWantedBy=multi-user.target\n");
            }
        }

        var etc = Path.Combine(root, "etc", "systemd", "system");
        const string prefix = OpsHostUnitsGenerator.SystemdDirectory + "/";
        foreach (var file in files.Where(f => f.Path.StartsWith(prefix, StringComparison.Ordinal)))
        {
            var path = Path.Combine(etc, file.Path[prefix.Length..]);
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            await File.WriteAllTextAsync(path, file.Content);
        }

        var units = Directory.GetFiles(etc, "*", SearchOption.AllDirectories)
            .Concat(s_standIns.Keys.Select(u => Path.Combine(vendorUnits, u)));
        foreach (var unit in units)
        {
            foreach (var command in Commands(await File.ReadAllLinesAsync(unit)))
            {
                StubExecutable(root, command);
            }
        }

        return root;
    }

    public static Task<(int ExitCode, string Output)> VerifyAsync(string root, string unit) =>
        ToolRun.RunAsync("systemd-analyze", root, "verify", "--root=" + root, unit);

    public static void StubExecutable(string root, string path)
    {
        var file = Path.Combine(root, path.TrimStart('/'));
        Directory.CreateDirectory(Path.GetDirectoryName(file)!);
        File.WriteAllText(file, "#!/bin/sh\nexit 0\n");
        File.SetUnixFileMode(file, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute
            | UnixFileMode.GroupRead | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherExecute);
    }

    /// <summary>The executables of a unit's Exec*= lines (without the -@:+! prefixes).</summary>
    public static IEnumerable<string> Commands(IEnumerable<string> lines) =>
        lines.Where(l => l.StartsWith("Exec", StringComparison.Ordinal) && l.Contains('=', StringComparison.Ordinal))
            .Select(l => l[(l.IndexOf('=', StringComparison.Ordinal) + 1)..].TrimStart('-', '@', ':', '+', '!').Split(' ')[0])
            .Where(c => c.StartsWith('/'));
}
