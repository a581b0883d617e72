using System.Text.Json;
using BuzzTalk.Deployer.Rollout;
using BuzzTalk.Fleet.Ssh;

namespace BuzzTalk.Deployer.Releases;

/// <summary>
/// The releases an instance ran, oldest first (<see cref="RemoteLayout.History"/>): one record per
/// successful deploy or rollback, image-tag deploys included, with each service's image and tag,
/// when and by whom. A rollback goes back to the entry before the last one, so it never depends on
/// what swarm still remembers of a service's previous spec.
/// </summary>
public sealed class InstanceHistory(IRemoteFiles files, RemoteLayout layout)
{
    /// <summary>Entries kept; older ones are dropped on the next append.</summary>
    public const int Kept = 20;

    /// <summary>The recorded entries, oldest first; empty when none is kept or the file does not parse.</summary>
    public async Task<IReadOnlyList<DesiredRelease>> ReadAsync(CancellationToken cancellationToken)
    {
        var content = await files.ReadFileAsync(layout.History, cancellationToken).ConfigureAwait(false);
        try
        {
            return content is null ? [] : JsonSerializer.Deserialize(content, ReleaseJsonContext.Default.ListDesiredRelease) ?? [];
        }
        catch (JsonException)
        {
            return []; // A damaged history is a history that cannot be relied on: the next success starts it anew.
        }
    }

    public async Task AppendAsync(DesiredRelease record, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(record);
        var entries = (await ReadAsync(cancellationToken).ConfigureAwait(false)).ToList();
        entries.Add(record.WithoutHistory());
        if (entries.Count > Kept)
        {
            entries.RemoveRange(0, entries.Count - Kept);
        }

        await files.WriteFileAsync(layout.History, JsonSerializer.SerializeToUtf8Bytes(entries, ReleaseJsonContext.Default.ListDesiredRelease),
            UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// What a rollback of <paramref name="services"/> (null = all) returns to: the entry before the
    /// last, or for named services the last entry with those services' previous images. Null when
    /// fewer than two releases are recorded.
    /// </summary>
    public static DesiredRelease? RollbackTarget(IReadOnlyList<DesiredRelease> history, IReadOnlyList<string>? services)
    {
        ArgumentNullException.ThrowIfNull(history);
        if (history.Count < 2)
        {
            return null;
        }

        return history[^1].RolledBackTo(history[^2], services);
    }
}
