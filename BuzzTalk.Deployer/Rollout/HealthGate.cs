using System.Globalization;
using BuzzTalk.Deployer.Configuration;
using BuzzTalk.Fleet.Ssh;
using BuzzTalk.Fleet.Swarm;

namespace BuzzTalk.Deployer.Rollout;

/// <summary>
/// Tells a bad release from a busy site. First the new tasks' own health: each running task's
/// container health check must pass (an unhealthy one fails the gate at once). Then the site
/// through the instance's edge (<c>Deployer:Health:Url</c>, or <c>Deployer:Health:Origin</c> and the
/// release's health path, <c>x-buzztalk: health</c>; curl on the host): one answer passes.
/// When it keeps failing, the gate compares with the old release under the same load, sampled
/// before the deploy: a site that failed the old release as often (at least
/// <see cref="BusyFailureRatio"/> of the samples) fails the new one for the same reason, not
/// because of the release, so the gate passes on the new tasks' health. An absolute latency or
/// error rate the old release also missed never rolls a release back.
/// </summary>
public sealed class HealthGate(IRemoteRunner runner, SwarmClient swarm, DeployerOptions options, string instance, string? healthPath, Action<string> step,
    TimeProvider time)
{
    /// <summary>Failures, as a share of the samples, that make the site busy rather than the release bad.</summary>
    public const double BusyFailureRatio = 0.8;

    private Uri? Url
    {
        get
        {
            var url = options.Health.UrlFor(healthPath).Replace("{instance}", instance, StringComparison.Ordinal);
            if (url.Length == 0)
            {
                return null;
            }

            return Uri.TryCreate(url, UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https"
                ? uri
                : throw new RolloutFailedException($"health URL '{url}' is not an http(s) URL");
        }
    }

    /// <summary>
    /// The site under the old release: up to <c>Deployer:Health:Samples</c> answers, stopping as
    /// soon as enough succeeded that the site cannot count as busy. Null without a health URL.
    /// </summary>
    public async Task<SiteSample?> BaselineAsync(CancellationToken cancellationToken)
    {
        if (Url is not { } url)
        {
            return null;
        }

        var samples = Math.Max(1, options.Health.Samples);
        // A busy site may answer this many and still count as busy (1 of 5); past that, stop asking.
        var allowedSuccesses = samples - (int)Math.Ceiling((samples * BusyFailureRatio) - 1e-9);
        var (taken, failed) = (0, 0);
        while (taken < samples && taken - failed <= allowedSuccesses)
        {
            if (taken > 0)
            {
                await Task.Delay(options.PollInterval, time, cancellationToken).ConfigureAwait(false);
            }

            failed += (await GetAsync(url, cancellationToken).ConfigureAwait(false)).Succeeded ? 0 : 1;
            taken++;
        }

        var sample = new SiteSample(taken, failed);
        step($"health before the deploy: {sample}");
        return sample;
    }

    /// <summary>Passes, or throws <see cref="RolloutFailedException"/> with the reason.</summary>
    public async Task CheckAsync(IReadOnlyList<string> services, SiteSample? baseline, CancellationToken cancellationToken)
    {
        var deadline = time.GetUtcNow() + options.Health.Timeout;
        await WaitTasksHealthyAsync(services, deadline, cancellationToken).ConfigureAwait(false);
        if (Url is not { } url)
        {
            return;
        }

        step($"health {url}");
        var window = Math.Max(1, options.Health.Samples);
        var failedInARow = 0;
        while (true)
        {
            var result = await GetAsync(url, cancellationToken).ConfigureAwait(false);
            if (result.Succeeded)
            {
                step("healthy");
                return;
            }

            failedInARow++;
            if (baseline is { IsBusy: true } && failedInARow >= window)
            {
                step($"the site failed {failedInARow} checks in a row, as it did before the deploy ({baseline}); " +
                    "the new tasks are healthy: a busy site, not a bad release");
                return;
            }

            if (time.GetUtcNow() >= deadline)
            {
                throw new RolloutFailedException($"{url} did not answer within {options.Health.Timeout.TotalSeconds:0} s " +
                    $"(before the deploy: {baseline?.ToString() ?? "not sampled"}): {result.Error.Trim()}");
            }

            await Task.Delay(options.PollInterval, time, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Waits until no running task of the services is still starting; an unhealthy one fails the gate.</summary>
    private async Task WaitTasksHealthyAsync(IReadOnlyList<string> services, DateTimeOffset deadline, CancellationToken cancellationToken)
    {
        foreach (var service in services)
        {
            while (true)
            {
                var running = (await swarm.TasksAsync(service, cancellationToken).ConfigureAwait(false)).Where(t => t.IsRunning).Select(t => t.Id).ToHashSet(StringComparer.Ordinal);
                var health = await swarm.TaskHealthAsync(service, cancellationToken).ConfigureAwait(false);
                var states = health.Where(h => running.Contains(h.Key)).Select(h => h.Value).ToList();
                if (states.Contains("unhealthy"))
                {
                    throw new RolloutFailedException($"{service}: a new task's container health check fails");
                }

                if (!states.Contains("starting"))
                {
                    break;
                }

                if (time.GetUtcNow() >= deadline)
                {
                    throw new RolloutFailedException($"{service}: a new task's container health check did not pass within {options.Health.Timeout.TotalSeconds:0} s");
                }

                await Task.Delay(options.PollInterval, time, cancellationToken).ConfigureAwait(false);
            }
        }
    }

    private Task<RemoteResult> GetAsync(Uri url, CancellationToken cancellationToken) =>
        runner.RunAsync("curl", ["-fsS", "--max-time", "5", "-o", "/dev/null", url.AbsoluteUri], TimeSpan.FromSeconds(15), cancellationToken);
}

/// <summary>Health checks of the site taken before a deploy, and how many failed.</summary>
public sealed record SiteSample(int Taken, int Failed)
{
    /// <summary>The old release failed the check too often for a failing check to blame the new one.</summary>
    public bool IsBusy => Taken > 0 && (double)Failed / Taken >= HealthGate.BusyFailureRatio;

    public override string ToString() =>
        string.Create(CultureInfo.InvariantCulture, $"{Failed} of {Taken} checks failed{(IsBusy ? ", busy" : "")}");
}
