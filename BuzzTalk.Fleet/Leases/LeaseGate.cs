using System.Globalization;
using System.Text.RegularExpressions;
using BuzzTalk.Fleet.Ssh;

namespace BuzzTalk.Fleet.Leases;

/// <summary>
/// The deploy lease's lock, taken and given back by a long-lived helper shell on the host, so a
/// caller can check the lease and act while no deploy can take it, at the cost of one exchange
/// on an open channel instead of a remote command. It takes the same <c>flock</c> as
/// <see cref="DeployLease"/> (whose acquire waits for it) and reads the same lease file.
/// <para>
/// The caller acts through "fenced" processes (<see cref="StartFencedAsync"/>, e.g.
/// <c>docker system dial-stdio</c>). Should the helper's channel end while locked (a dropped
/// connection, a caller that gave up), or the caller not unlock within the hold time (a
/// connection that went silent, which sshd may not notice for hours), the helper gives the lock
/// back only once every fenced process has exited, ending them if they do not: whatever the
/// caller sent through them has then reached its target or can no longer reach it, so a deploy
/// never starts while an action decided under the lock is still on its way.
/// </para>
/// <para>The helper needs bash (for <c>read -t</c>), flock and mktemp on the host.</para>
/// </summary>
public sealed partial class LeaseGate : IAsyncDisposable
{
    // The helper and fence scripts live in lease-gate.sh and lease-fence.sh (embedded, shellchecked by the tests).
    private static readonly string HelperScript = EmbeddedScript.Read("lease-gate.sh");
    private static readonly string FenceScript = EmbeddedScript.Read("lease-fence.sh");

    /// <summary>Default hold: longer than any scale takes, short enough for a waiting deploy to retry soon.</summary>
    public static readonly TimeSpan DefaultHold = TimeSpan.FromSeconds(30);

    private readonly SshHostSession _host;
    private readonly RemoteProcess _helper;
    private readonly string _fence;
    private bool _locked;
    private bool _unlockAnswerPending;
    private bool _broken;

    private LeaseGate(SshHostSession host, RemoteProcess helper, string fence)
    {
        _host = host;
        _helper = helper;
        _fence = fence;
    }

    public string Host => _host.Host;

    /// <summary>The fence file on the host (removed when the helper ends).</summary>
    public string Fence => _fence;

    /// <summary>False once the helper ended or an exchange failed: dispose and start a new gate.</summary>
    public bool IsUsable => !_broken && !_helper.HasExited;

    /// <summary>
    /// Starts the helper on <paramref name="host"/> for the lease in <paramref name="directory"/>.
    /// <paramref name="hold"/> (default <see cref="DefaultHold"/>) is how long the lock waits for
    /// <see cref="Unlock"/> before the helper gives it back itself.
    /// </summary>
    public static async Task<LeaseGate> StartAsync(SshHostSession host, string directory = DeployLease.DefaultDirectory, TimeSpan? hold = null,
        CancellationToken cancellationToken = default)
    {
        var holdSeconds = (int)Math.Ceiling((hold ?? DefaultHold).TotalSeconds);
        ArgumentOutOfRangeException.ThrowIfLessThan(holdSeconds, 1, nameof(hold));
        ArgumentNullException.ThrowIfNull(host);
        ArgumentException.ThrowIfNullOrEmpty(directory);
        directory = directory.Length > 1 ? directory.TrimEnd('/') : directory;
        var helper = await host.StartAsync("bash", ["-c", HelperScript, "lease-gate", directory, holdSeconds.ToString(CultureInfo.InvariantCulture)],
            cancellationToken).ConfigureAwait(false);
        try
        {
            var ready = await helper.ReadLineAsync(cancellationToken).ConfigureAwait(false);
            // The fence's name comes from the host: only the shape mktemp gives is accepted.
            var fence = ready.StartsWith("ready ", StringComparison.Ordinal) ? ready["ready ".Length..] : "";
            if (!fence.StartsWith(directory + "/.lease-fence.", StringComparison.Ordinal) || !FenceSuffix().IsMatch(fence))
            {
                throw new IOException($"Lease gate on {host.Host} did not start: '{(ready.Length > 200 ? ready[..200] : ready)}'");
            }

            return new LeaseGate(host, helper, fence);
        }
        catch
        {
            await helper.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>
    /// Starts <paramref name="program"/> fenced by this gate: should the gate's channel end while
    /// locked, or the hold pass without an unlock, the lock is given back only once this process
    /// has exited (the helper ends it if it does not exit by itself).
    /// </summary>
    public async Task<RemoteProcess> StartFencedAsync(string program, IReadOnlyList<string> arguments, CancellationToken cancellationToken = default)
    {
        var process = await _host.StartAsync("sh", ["-c", FenceScript, "lease-fence", _fence, program, .. arguments], cancellationToken).ConfigureAwait(false);
        try
        {
            var line = await process.ReadLineAsync(cancellationToken).ConfigureAwait(false);
            return line == "fenced" ? process : throw new IOException($"Fenced {program} on {Host} did not start.");
        }
        catch
        {
            await process.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>
    /// Takes the lock unless a deploy holds the lease. Null = locked and free: act, then
    /// <see cref="Unlock"/>. Otherwise the lease that is held (the lock is not kept).
    /// </summary>
    public async Task<LeaseState?> LockIfFreeAsync(CancellationToken cancellationToken = default)
    {
        if (_locked)
        {
            throw new InvalidOperationException("The lease gate is already locked.");
        }

        var reply = await ExchangeAsync("lock", cancellationToken).ConfigureAwait(false);
        switch (reply)
        {
            case "free":
                _locked = true;
                return null;
            case "held":
                var lines = new string[4];
                for (var i = 0; i < lines.Length; i++)
                {
                    lines[i] = await ReadAsync(cancellationToken).ConfigureAwait(false);
                }

                return DeployLease.ParseState(string.Join('\n', lines)) ?? throw Broken("an unreadable lease");
            case "busy":
                throw new IOException($"The deploy lease lock on {Host} stayed taken for 10 s.");
            default:
                throw Broken($"'{(reply.Length > 200 ? reply[..200] : reply)}'");
        }
    }

    /// <summary>
    /// Gives the lock back after acting. Only sent: the helper's answer is read before the next
    /// exchange, so the caller does not wait a round trip for it (the action is already done).
    /// </summary>
    public void Unlock()
    {
        if (!_locked)
        {
            throw new InvalidOperationException("The lease gate is not locked.");
        }

        Send("unlock");
        _locked = false;
        _unlockAnswerPending = true;
    }

    /// <summary>Ends the helper; if it was locked, the lock outlives the fenced processes (see the class).</summary>
    public ValueTask DisposeAsync() => _helper.DisposeAsync();

    private async Task<string> ExchangeAsync(string request, CancellationToken cancellationToken)
    {
        Send(request);
        if (_unlockAnswerPending)
        {
            var unlocked = await ReadAsync(cancellationToken).ConfigureAwait(false);
            _unlockAnswerPending = unlocked == "unlocked" ? false : throw Broken($"'{(unlocked.Length > 200 ? unlocked[..200] : unlocked)}' to unlock");
        }

        return await ReadAsync(cancellationToken).ConfigureAwait(false);
    }

    private void Send(string request)
    {
        if (!IsUsable)
        {
            throw new InvalidOperationException($"The lease gate on {Host} is no longer usable.");
        }

        try
        {
            _helper.WriteLine(request);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            _broken = true;
            throw new IOException($"Lease gate on {Host}: {ex.Message}", ex);
        }
    }

    private async Task<string> ReadAsync(CancellationToken cancellationToken)
    {
        try
        {
            return await _helper.ReadLineAsync(cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            // A half-read answer leaves the protocol out of step: this gate is done.
            _broken = true;
            throw;
        }
    }

    private IOException Broken(string what)
    {
        _broken = true;
        return new IOException($"Lease gate on {Host} answered {what}.");
    }

    [GeneratedRegex("/\\.lease-fence\\.[A-Za-z0-9]{8}$")]
    private static partial Regex FenceSuffix();
}
