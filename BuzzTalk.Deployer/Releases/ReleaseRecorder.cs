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

        // A whole-stack deploy (or the first record) takes this bundle; an image deploy keeps the
        // recorded bundle and changes only the named services.
        DesiredRelease basis;
        if (request.Services is null || current is null)
        {
            var bundleObject = await store.EnsureBundleAsync(release, cancellationToken).ConfigureAwait(false);
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
                RecordedAt = _time.GetUtcNow(),
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

        if (request.EnvFiles is { Count: > 0 } env)
        {
            var sha = GcpReleaseStore.EnvSha256(env);
            if (sha != basis.EnvSha256)
            {
                basis = basis with { EnvSecretVersion = await store.AddEnvVersionAsync(env, cancellationToken).ConfigureAwait(false), EnvSha256 = sha };
            }
        }

        return new Pending(basis with
        {
            Revision = (current?.Revision ?? 0) + 1,
            Operation = "deploy",
            RecordedAt = _time.GetUtcNow(),
            RecordedBy = request.Holder,
            Previous = current?.WithoutHistory(),
        }, generation);
    }

    /// <summary>The record a rollback goes back to, or null when none was recorded before the current one.</summary>
    public async Task<Pending?> PrepareRollbackAsync(IReadOnlyList<string>? services, string holder, CancellationToken cancellationToken)
    {
        var (current, generation) = await store.ReadDesiredAsync(cancellationToken).ConfigureAwait(false);
        if (current?.Previous is not { } previous)
        {
            return null;
        }

        var target = previous;
        if (services is not null)
        {
            // Only these services go back; the rest of the current record stays.
            var merged = current.Services.ToDictionary(s => s.Key, s => s.Value, StringComparer.Ordinal);
            foreach (var service in services)
            {
                if (previous.Services.TryGetValue(service, out var before))
                {
                    merged[service] = before;
                }
            }

            target = current with { Services = merged };
        }

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
