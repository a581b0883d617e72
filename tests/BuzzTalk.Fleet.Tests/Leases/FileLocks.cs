using System.Globalization;
using BuzzTalk.Fleet.Ssh;

namespace BuzzTalk.Fleet.Tests.Leases;

/// <summary>
/// Observes flock(2) locks on the test host (the local machine behind the loopback sshd) through
/// <c>/proc/locks</c>, so a test can wait until a process is provably blocked on a lock instead of
/// guessing with a delay.
/// </summary>
internal static class FileLocks
{
    /// <summary>Waits until some process is blocked waiting for a lock on <paramref name="path"/>.</summary>
    public static async Task WaitForWaiterAsync(SshHostSession host, string path, TimeSpan timeout)
    {
        var inode = (await host.RunAsync("stat", ["-c", "%i", path])).Output.Trim();
        Assert.True(long.TryParse(inode, NumberStyles.None, CultureInfo.InvariantCulture, out _), $"no inode for {path}");
        using var deadline = new CancellationTokenSource(timeout);
        // Blocked requests are the lines marked "->"; the device:inode field ends with the inode.
        while (!File.ReadLines("/proc/locks").Any(line => line.Contains("->", StringComparison.Ordinal)
                   && line.Split(' ', StringSplitOptions.RemoveEmptyEntries).Any(f => f.Count(c => c == ':') == 2 && f.EndsWith(":" + inode, StringComparison.Ordinal))))
        {
            await Task.Delay(TimeSpan.FromMilliseconds(20), deadline.Token);
        }
    }

    /// <summary>Whether the lock on <paramref name="path"/> is free right now (a non-blocking try from another process).</summary>
    public static async Task<bool> IsFreeAsync(SshHostSession host, string path) =>
        (await host.RunAsync("flock", ["-n", path, "true"])).ExitCode == 0;
}
