using BuzzTalk.Deployer.Rollout;

namespace BuzzTalk.Deployer.Releases;

/// <summary>
/// Records what the fleet should run. Before a rollout it prepares the candidate record (release
/// archive uploaded, env files added to Secret Manager when they changed), each instance that
/// ends up on it keeps a copy (<see cref="RemoteLayout.RunningRecord"/>), and only when the whole
/// fleet succeeded does the candidate become the desired release, so a failed or partial rollout
/// never sends booting instances to a release that did not hold.
/// </summary>
public sealed class ReleaseRecorder(GcpReleaseStore store, TimeProvider? time = null)
{
    private readonly TimeProvider _time = time ?? TimeProvider.System;

    /// <summary>A candidate and the generation of the record it was derived from.</summary>
    public sealed record Pending(DesiredRelease Candidate, long Generation);

    public GcpReleaseStore Store => store;

    public async Task<Pending> PrepareDeployAsync(ReleaseContent release, RolloutRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(release);
        ArgumentNullException.ThrowIfNull(request);
        var (current, generation) = await store.ReadDesiredAsync(cancellationToken).ConfigureAwait(false);
        var bundleObject = request.Services is null || current is null
            ? await store.EnsureBundleAsync(release, cancellationToken).ConfigureAwait(false)
            : current.BundleObject;
        var candidate = Next(current, release, request, bundleObject, _time.GetUtcNow());
        if (request.EnvFiles is { Count: > 0 } env)
        {
            var sha = GcpReleaseStore.EnvSha256(env);
            if (sha != candidate.EnvSha256)
            {
                candidate = candidate with { EnvSecretVersion = await store.AddEnvVersionAsync(env, cancellationToken).ConfigureAwait(false), EnvSha256 = sha };
            }
        }

        return new Pending(candidate, generation);
    }

    /// <summary>
    /// The record a deploy makes of <paramref name="current"/>: a whole-stack deploy (or the first
    /// record) takes this bundle (<paramref name="bundleObject"/>); an image deploy keeps the
    /// recorded bundle and changes only the named services. The fleet's desired release and each
    /// instance's own history (<see cref="InstanceHistory"/>) are made alike.
    /// </summary>
    public static DesiredRelease Next(DesiredRelease? current, ReleaseContent release, RolloutRequest request, string bundleObject, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(release);
        ArgumentNullException.ThrowIfNull(request);
        DesiredRelease basis;
        if (request.Services is null || current is null)
        {
            var tag = request.Services is null ? request.ImageTag : null;
            basis = new DesiredRelease
            {
                Revision = 0,
                Release = release.ReleaseId,
                BundleObject = bundleObject,
                Services = release.ServiceImages.Keys.ToDictionary(s => s, s => Service(release, s, tag), StringComparer.Ordinal),
                EnvSecretVersion = current?.EnvSecretVersion,
                EnvSha256 = current?.EnvSha256,
                Operation = "deploy",
                RecordedAt = now,
            };
        }
        else
        {
            basis = current;
        }

        if (request.Services is { } named)
        {
            var services = basis.Services.ToDictionary(s => s.Key, s => s.Value, StringComparer.Ordinal);
            foreach (var service in named)
            {
                services[service] = Service(release, service, request.ImageTag ?? "latest");
            }

            basis = basis with { Services = services };
        }

        return basis with
        {
            Revision = (current?.Revision ?? 0) + 1,
            Operation = "deploy",
            RecordedAt = now,
            RecordedBy = request.Holder,
            Previous = current?.WithoutHistory(),
        };
    }

    /// <summary>The record a rollback goes back to, or null when none was recorded before the current one.</summary>
    public async Task<Pending?> PrepareRollbackAsync(IReadOnlyList<string>? services, string holder, CancellationToken cancellationToken)
    {
        var (current, generation) = await store.ReadDesiredAsync(cancellationToken).ConfigureAwait(false);
        if (current?.Previous is not { } previous)
        {
            return null;
        }

        var target = current.RolledBackTo(previous, services);
        return new Pending(target with
        {
            Revision = current.Revision + 1,
            Operation = "rollback",
            RecordedAt = _time.GetUtcNow(),
            RecordedBy = holder,
            Previous = current.WithoutHistory(),
        }, generation);
    }

    /// <summary>Makes the candidate the desired release when every instance succeeded; returns what happened, for the report.</summary>
    public async Task<string> CommitAsync(Pending pending, FleetReport report, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(pending);
        ArgumentNullException.ThrowIfNull(report);
        if (!report.Succeeded)
        {
            return $"desired release unchanged ({pending.Candidate.Previous?.Describe() ?? "none recorded"}): not every instance succeeded";
        }

        try
        {
            await store.WriteDesiredAsync(pending.Candidate, pending.Generation, cancellationToken).ConfigureAwait(false);
        }
        catch (ReleaseStoreException ex) when (ex.IsConflict)
        {
            throw new ReleaseStoreException("the desired release was recorded by someone else during this rollout; not overwritten: run status, then deploy again", 412, ex);
        }

        return $"desired release {pending.Candidate.Describe()} recorded";
    }

    private static ServiceRelease Service(ReleaseContent release, string service, string? tag)
    {
        var image = tag is null ? release.DefaultImage(service) : release.ImageWithTag(service, tag);
        return new ServiceRelease(image, release.TagVariable(service), TagOf(image));
    }

    /// <summary>The tag of <c>repo[:port/path]:tag</c>; <c>latest</c> when there is none.</summary>
    public static string TagOf(string image)
    {
        ArgumentNullException.ThrowIfNull(image);
        var colon = image.LastIndexOf(':');
        return colon > image.LastIndexOf('/') ? image[(colon + 1)..] : "latest";
    }
}
