using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using BuzzTalk.Deployer.Releases;
using BuzzTalk.Fleet;
using BuzzTalk.Fleet.Ssh;

namespace BuzzTalk.Deployer.Rollout;

/// <summary>
/// An instance's releases on its disk (<see cref="RemoteLayout"/>): each release's files uploaded
/// by SFTP under <c>releases/</c>, the env files beside them (mode 0600), the <c>current</c> and
/// <c>previous</c> links, the record of what runs, and the pruning of old releases.
/// </summary>
internal sealed partial class InstanceReleases(IRemoteRunner runner, IRemoteFiles files, RemoteLayout layout, InstanceHistory history,
    int keepReleases, Action<string> step)
{
    private const UnixFileMode PublicFile = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead;
    private const UnixFileMode SecretFile = UnixFileMode.UserRead | UnixFileMode.UserWrite;
    private static readonly string LinksScript = EmbeddedScript.Read(typeof(InstanceReleases).Assembly, "release-links.sh");

    /// <summary>Puts the release's files and the request's env files on the host; checks first, so a refused release changes nothing.</summary>
    public async Task UploadAsync(ReleaseContent release, RolloutRequest request, CancellationToken cancellationToken)
    {
        if (request.EnvFiles is null)
        {
            var probe = await runner.RunAsync("test", ["-f", $"{layout.EnvDirectory}/backend.env"], cancellationToken: cancellationToken).ConfigureAwait(false);
            if (!probe.Succeeded)
            {
                throw new RolloutFailedException($"{layout.EnvDirectory}/backend.env is missing on the host: run render-env and deploy with --env-dir");
            }
        }

        if (request.EnvFiles?.Keys.FirstOrDefault(name => !EnvFileName().IsMatch(name)) is { } badName)
        {
            throw new RolloutFailedException($"env file name '{badName}' is not [A-Za-z0-9._-]+.env");
        }

        var directory = layout.Release(release.ReleaseId);
        if (release.Files.Count == 0)
        {
            // A recorded release deployed again: its files must still be on the host.
            if (!(await runner.RunAsync("test", ["-f", layout.StackFile(release.ReleaseId)], cancellationToken: cancellationToken).ConfigureAwait(false)).Succeeded)
            {
                throw new RolloutFailedException($"release {release.ReleaseId} is no longer on the host ({directory})");
            }
        }
        else
        {
            step($"upload release to {directory}");
        }

        foreach (var (path, content) in release.Files.OrderBy(f => f.Key, StringComparer.Ordinal))
        {
            await files.WriteFileAsync($"{directory}/{path}", content, PublicFile, cancellationToken).ConfigureAwait(false);
        }

        foreach (var (name, content) in request.EnvFiles ?? new Dictionary<string, byte[]>())
        {
            step($"upload {layout.EnvDirectory}/{name} (0600)");
            await files.WriteFileAsync($"{layout.EnvDirectory}/{name}", content, SecretFile, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>previous ← current, current ← the release; nothing when current already names it.</summary>
    public async Task SwitchCurrentAsync(string releaseId, CancellationToken cancellationToken)
    {
        if (await ReadLinkAsync(layout.Current, cancellationToken).ConfigureAwait(false) == releaseId)
        {
            return; // An image deploy on the same bundle: previous keeps naming the bundle before it.
        }

        var result = await runner.RunAsync("sh", ["-c", LinksScript, "release-links", "switch", layout.Root, layout.Release(releaseId)],
            cancellationToken: cancellationToken).ConfigureAwait(false);
        if (!result.Succeeded)
        {
            throw new IOException($"switching {layout.Current} failed: {result.Error.Trim()}");
        }

        step($"current -> {releaseId}");
    }

    /// <summary>current ↔ previous, after swarm's own rollback put the previous release back.</summary>
    public async Task SwapToPreviousAsync(CancellationToken cancellationToken)
    {
        var result = await runner.RunAsync("sh", ["-c", LinksScript, "release-links", "swap", layout.Root], cancellationToken: cancellationToken)
            .ConfigureAwait(false);
        if (result.Succeeded && result.Output.Trim() is { Length: > 0 } now)
        {
            step($"current -> {Path.GetFileName(now)}");
        }
    }

    /// <summary>Removes releases beyond the newest kept ones, never current, previous or what a rollback goes back to.</summary>
    public async Task PruneAsync(CancellationToken cancellationToken)
    {
        var listing = await runner.RunAsync("ls", ["-1t", layout.Releases], cancellationToken: cancellationToken).ConfigureAwait(false);
        var current = await ReadLinkAsync(layout.Current, cancellationToken).ConfigureAwait(false);
        var previous = await ReadLinkAsync(layout.Previous, cancellationToken).ConfigureAwait(false);
        // A rollback goes back to the release before the last one the history records.
        var rollbackTargets = (await history.ReadAsync(cancellationToken).ConfigureAwait(false)).TakeLast(2).Select(r => r.Release).ToHashSet(StringComparer.Ordinal);
        var old = listing.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Where(IsReleaseId)
            .Skip(Math.Max(1, keepReleases))
            .Where(id => id != current && id != previous && !rollbackTargets.Contains(id))
            .ToList();
        foreach (var id in old)
        {
            await runner.RunAsync("rm", ["-rf", "--", layout.Release(id)], cancellationToken: cancellationToken).ConfigureAwait(false);
        }

        if (old.Count > 0)
        {
            step($"pruned {old.Count.ToString(CultureInfo.InvariantCulture)} old releases");
        }
    }

    /// <summary>The release id a link (<see cref="RemoteLayout.Current"/>, <see cref="RemoteLayout.Previous"/>) points at, or null.</summary>
    public async Task<string?> ReadLinkAsync(string link, CancellationToken cancellationToken)
    {
        var result = await runner.RunAsync("readlink", [link], cancellationToken: cancellationToken).ConfigureAwait(false);
        return result.Succeeded && result.Output.Trim() is { Length: > 0 } path ? Path.GetFileName(path) : null;
    }

    /// <summary>The release record the instance says it runs; null when there is none or it does not parse.</summary>
    public async Task<DesiredRelease?> ReadRunningRecordAsync(CancellationToken cancellationToken)
    {
        var content = await files.ReadFileAsync(layout.RunningRecord, cancellationToken).ConfigureAwait(false);
        try
        {
            return content is null ? null : JsonSerializer.Deserialize(content, ReleaseJsonContext.Default.DesiredRelease);
        }
        catch (JsonException)
        {
            return null; // Shown as drift: the instance cannot say what it runs.
        }
    }

    public async Task WriteRunningRecordAsync(DesiredRelease? record, CancellationToken cancellationToken)
    {
        if (record is null)
        {
            return;
        }

        await files.WriteFileAsync(layout.RunningRecord, JsonSerializer.SerializeToUtf8Bytes(record.WithoutHistory(), ReleaseJsonContext.Default.DesiredRelease),
            PublicFile, cancellationToken).ConfigureAwait(false);
        step($"runs {record.Describe()}");
    }

    public static bool IsReleaseId(string id) => ReleaseIdPattern().IsMatch(id);

    [GeneratedRegex("^[0-9a-f]{12}$")]
    private static partial Regex ReleaseIdPattern();

    [GeneratedRegex(@"^[A-Za-z0-9._-]+\.env$")]
    private static partial Regex EnvFileName();
}
