using System.Globalization;
using System.Security.Cryptography;
using BuzzTalk.Fleet.Ssh;

namespace BuzzTalk.Fleet.Leases;

/// <summary>
/// The deploy lease of one host, replacing the seed's <c>export IN_DEPLOY</c> (which no other
/// process could ever see). A file on the host, changed only under <c>flock</c> and replaced by
/// rename, so acquiring has exactly one winner and readers never see half a lease. It records
/// holder, operation and expiry (host clock) and lapses by itself when its holder stops renewing.
/// </summary>
public sealed class DeployLease(IRemoteRunner host, string directory = DeployLease.DefaultDirectory)
{
    public const string DefaultDirectory = "/var/lib/buzztalk";
    private const int HeldExit = 3;
    private const int LostExit = 4;

    // The lease's shell lives in deploy-lease.sh (embedded, shellchecked by the tests): one
    // constant script, the request and every value passed as positional parameters, never as text.
    private static readonly string Script = EmbeddedScript.Read("deploy-lease.sh");

    public string Host => host.Host;

    /// <summary>Takes the lease for <paramref name="ttl"/>, or throws <see cref="LeaseBusyException"/>.</summary>
    public async Task<HeldLease> AcquireAsync(string holder, string operation, TimeSpan ttl, CancellationToken cancellationToken = default)
    {
        RequireText(holder, nameof(holder));
        RequireText(operation, nameof(operation));
        var token = Convert.ToHexString(RandomNumberGenerator.GetBytes(16));
        var result = await RunAsync("acquire", [token, holder, operation, Seconds(ttl)], cancellationToken).ConfigureAwait(false);
        if (result.ExitCode == HeldExit)
        {
            throw new LeaseBusyException(Host, ParseState(result.Output)!);
        }

        Require(result, "acquire");
        return new HeldLease(Host, token, holder, operation, Epoch(result.Output.Trim()));
    }

    /// <summary>Extends a held lease; false when it lapsed and someone else took it.</summary>
    public async Task<HeldLease?> RenewAsync(HeldLease lease, TimeSpan ttl, CancellationToken cancellationToken = default)
    {
        var result = await RunAsync("renew", [lease.Token, Seconds(ttl)], cancellationToken).ConfigureAwait(false);
        if (result.ExitCode == LostExit)
        {
            return null;
        }

        Require(result, "renew");
        return lease with { Expires = Epoch(result.Output.Trim()) };
    }

    /// <summary>Gives the lease back; false when it was no longer ours.</summary>
    public async Task<bool> ReleaseAsync(HeldLease lease, CancellationToken cancellationToken = default)
    {
        var result = await RunAsync("release", [lease.Token], cancellationToken).ConfigureAwait(false);
        if (result.ExitCode == LostExit)
        {
            return false;
        }

        Require(result, "release");
        return true;
    }

    /// <summary>
    /// Removes the lease whoever holds it (an operator clearing a stuck deploy); returns what
    /// was there. A live holder notices at its next renewal and stops.
    /// </summary>
    public async Task<LeaseState?> ForceReleaseAsync(CancellationToken cancellationToken = default)
    {
        var result = await RunAsync("force-release", [], cancellationToken).ConfigureAwait(false);
        Require(result, "force release");
        return ParseState(result.Output);
    }

    /// <summary>The current lease, held or lapsed; null when none was ever taken or it was released.</summary>
    public async Task<LeaseState?> ReadAsync(CancellationToken cancellationToken = default)
    {
        var result = await RunAsync("read", [], cancellationToken).ConfigureAwait(false);
        Require(result, "read");
        return ParseState(result.Output);
    }

    private Task<RemoteResult> RunAsync(string request, string[] arguments, CancellationToken cancellationToken) =>
        host.RunAsync("sh", ["-c", Script, "deploy-lease", request, directory, .. arguments], TimeSpan.FromSeconds(30), cancellationToken);

    private void Require(RemoteResult result, string action)
    {
        if (!result.Succeeded)
        {
            throw new IOException($"Deploy lease {action} on {Host} failed ({result.ExitCode}): {result.Error.Trim()}");
        }
    }

    internal static LeaseState? ParseState(string output)
    {
        var lines = output.Split('\n');
        return lines.Length >= 4 && lines[0].Length > 0
            ? new LeaseState(lines[0], lines[1], Epoch(lines[2]), Epoch(lines[3]))
            : null;
    }

    private static DateTimeOffset Epoch(string seconds) =>
        DateTimeOffset.FromUnixTimeSeconds(long.Parse(seconds, NumberStyles.None, CultureInfo.InvariantCulture));

    private static string Seconds(TimeSpan ttl) =>
        ttl >= TimeSpan.FromSeconds(1) && ttl <= TimeSpan.FromDays(1)
            ? ((long)Math.Ceiling(ttl.TotalSeconds)).ToString(CultureInfo.InvariantCulture)
            : throw new ArgumentOutOfRangeException(nameof(ttl), ttl, "A lease lasts 1 s to 1 day.");

    // One line each in the lease file: no control characters, bounded length.
    private static void RequireText(string value, string name)
    {
        if (string.IsNullOrWhiteSpace(value) || value.Length > 200 || value.Any(char.IsControl))
        {
            throw new ArgumentException($"The lease {name} must be 1-200 printable characters.", name);
        }
    }
}
