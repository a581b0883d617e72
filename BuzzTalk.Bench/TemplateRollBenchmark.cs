using System.Diagnostics;
using System.Globalization;
using BuzzTalk.Deployer.Tests.Releases;
using BuzzTalk.Testing;

namespace BuzzTalk.Bench;

/// <summary>
/// A whole-group template roll on the local fleet, behind a real balancer (HAProxy) that checks
/// each instance with the published health check (path, interval, thresholds read from the
/// bundle's Terraform). The group's updater is simulated with the published update policy: at most
/// <c>max_surge</c> new instances boot (the published instance script, into the desired release)
/// and are awaited until the balancer has them in rotation, and only then as many old ones leave
/// (the published shutdown script, then their stack removed), never more than
/// <c>max_unavailable</c> below the group's size. A client asks the balancer for the backend's
/// version every 100 ms throughout; the figure is the time no request was served. For
/// comparison, the seed's policy (3 unavailable, no surge) runs the same way.
/// </summary>
public static class TemplateRollBenchmark
{
    private static readonly TimeSpan BootTimeout = TimeSpan.FromMinutes(3);

    public static async Task<int> RunAsync(int instances, TextWriter output, CancellationToken cancellationToken)
    {
        if (!OperatingSystem.IsLinux())
        {
            throw new PlatformNotSupportedException("The instance scripts run on Linux only.");
        }

        await using var fleet = await DesiredReleaseFleet.StartAsync();
        var policy = PublishedFleetPolicy.Read(fleet.Bundle);
        await output.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
            $"published: health check GET {policy.HealthPath} every {policy.CheckInterval.TotalSeconds:0} s, down after {policy.UnhealthyThreshold}, up after {policy.HealthyThreshold}; roll max surge {policy.MaxSurge}, max unavailable {policy.MaxUnavailable}"));

        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
        var group = new List<InstanceBoot> { fleet.Deployed };
        for (var i = 1; i < instances; i++)
        {
            var instance = fleet.Add($"g{i.ToString(CultureInfo.InvariantCulture)}");
            await DesiredReleaseFleet.TimeBootAsync(instance, http, $"group instance {i + 1}", output);
            group.Add(instance);
        }

        var rows = new List<string>();
        var cases = new (string Label, string Key, int Surge, int Unavailable)[]
        {
            ("published policy", "p", policy.MaxSurge, policy.MaxUnavailable),
            ("seed policy", "s", 0, 3),
        };
        foreach (var (label, key, surge, unavailable) in cases)
        {
            var replacements = new List<InstanceBoot>();
            for (var i = 1; i <= group.Count; i++)
            {
                replacements.Add(fleet.Add(key + i.ToString(CultureInfo.InvariantCulture)));
            }

            var (seconds, probe) = await RollAsync(group, replacements, surge, unavailable, policy, output);
            await output.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
                $"{label}: roll of {group.Count} instances took {seconds:F1} s; {probe.Failures.Count} of {probe.Sent} requests failed, {probe.Unserved.TotalSeconds:F1} s without a serving instance"));
            foreach (var failure in probe.Failures.Take(20))
            {
                await output.WriteLineAsync($"  failed at {failure}");
            }

            rows.Add(string.Create(CultureInfo.InvariantCulture,
                $"| {label} (max surge {surge}, max unavailable {unavailable}) | {group.Count} | {seconds:F1} | {probe.Sent} | {probe.Failures.Count} | {probe.Unserved.TotalSeconds:F1} |"));
            group = replacements;
        }

        await output.WriteLineAsync();
        await output.WriteLineAsync("| template roll | instances | roll s | requests | failed | s without a serving instance |");
        await output.WriteLineAsync("|---|---|---|---|---|---|");
        foreach (var row in rows)
        {
            await output.WriteLineAsync(row);
        }

        return 0;
    }

    /// <summary>Rolls <paramref name="old"/> to <paramref name="replacements"/> as the group's updater does, behind the balancer.</summary>
    private static async Task<(double Seconds, ProbeResult Probe)> RollAsync(List<InstanceBoot> old, List<InstanceBoot> replacements, int surge, int unavailable,
        PublishedFleetPolicy policy, TextWriter output)
    {
        var names = old.Concat(replacements).Select((instance, i) => (Instance: instance, Name: $"i{i}")).ToDictionary(p => p.Instance, p => p.Name);
        await using var balancer = await HaproxyBalancer.StartAsync([.. names.Select(p => (p.Value, p.Key.FrontendPort))], policy.HealthPath,
            policy.CheckInterval, policy.UnhealthyThreshold, policy.HealthyThreshold);
        foreach (var instance in old)
        {
            await balancer.WaitForAsync(names[instance], inRotation: true, BootTimeout);
        }

        // HAProxy puts every server in rotation until its checks fail; a cloud balancer sends
        // nothing to an instance before it passes its check: wait until the balancer agrees.
        foreach (var instance in replacements)
        {
            await balancer.WaitForAsync(names[instance], inRotation: false, BootTimeout);
        }

        var probe = BalancerProbe.Start(new Uri(balancer.Address, "/backend/version"), TimeSpan.FromMilliseconds(100));
        var started = Stopwatch.GetTimestamp();
        await output.WriteLineAsync($"  {DateTime.UtcNow:HH:mm:ss.f} roll starts (failure times below count from here)");
        using var watching = new CancellationTokenSource();
        var watch = WatchRotationAsync(balancer, output, watching.Token);
        var leaving = new Queue<InstanceBoot>(old);
        var coming = new Queue<InstanceBoot>(replacements);
        while (leaving.Count > 0)
        {
            if (surge > 0)
            {
                // New instances first; an old one leaves only once a new one serves in its place.
                var step = Take(coming, surge);
                await Task.WhenAll(step.Select(i => BootAsync(i, names[i], balancer, output)));
                await Task.WhenAll(Take(leaving, step.Count).Select(i => LeaveAsync(i, names[i], output)));
            }
            else
            {
                var step = Take(leaving, Math.Max(1, unavailable));
                await Task.WhenAll(step.Select(i => LeaveAsync(i, names[i], output)));
                await Task.WhenAll(Take(coming, step.Count).Select(i => BootAsync(i, names[i], balancer, output)));
            }
        }

        var seconds = Stopwatch.GetElapsedTime(started).TotalSeconds;
        await watching.CancelAsync();
        await watch;
        return (seconds, await probe.StopAsync());
    }

    /// <summary>Prints each change of the balancer's rotation, so failures can be read against it.</summary>
    private static async Task WatchRotationAsync(HaproxyBalancer balancer, TextWriter output, CancellationToken cancellationToken)
    {
        IReadOnlyDictionary<string, bool> last = new Dictionary<string, bool>();
        try
        {
            while (!cancellationToken.IsCancellationRequested)
            {
                var now = await balancer.InRotationAsync(cancellationToken);
                foreach (var (name, inRotation) in now.Where(p => last.GetValueOrDefault(p.Key, !p.Value) != p.Value))
                {
                    await output.WriteLineAsync($"  {DateTime.UtcNow:HH:mm:ss.f} balancer: {name} {(inRotation ? "in" : "out of")} rotation");
                }

                last = now;
                await Task.Delay(TimeSpan.FromMilliseconds(200), cancellationToken);
            }
        }
        catch (OperationCanceledException)
        {
            // Done.
        }
    }

    private static List<InstanceBoot> Take(Queue<InstanceBoot> queue, int count)
    {
        var taken = new List<InstanceBoot>();
        while (taken.Count < count && queue.TryDequeue(out var instance))
        {
            taken.Add(instance);
        }

        return taken;
    }

    private static async Task BootAsync(InstanceBoot instance, string name, HaproxyBalancer balancer, TextWriter output)
    {
        var (exit, log, _) = await instance.RunAsync();
        if (exit != 0)
        {
            throw new InvalidOperationException($"{name} did not boot ({exit}):\n{log}");
        }

        await balancer.WaitForAsync(name, inRotation: true, BootTimeout);
        await output.WriteLineAsync($"  {DateTime.UtcNow:HH:mm:ss.f} {name} booted and in rotation");
    }

    private static async Task LeaveAsync(InstanceBoot instance, string name, TextWriter output)
    {
        await output.WriteLineAsync($"  {DateTime.UtcNow:HH:mm:ss.f} {name} leaving");
        var (exit, log) = await instance.LeaveAsync();
        if (exit != 0)
        {
            throw new InvalidOperationException($"{name}'s shutdown script failed ({exit}):\n{log}");
        }

        await instance.WipeAsync();
        await output.WriteLineAsync($"  {DateTime.UtcNow:HH:mm:ss.f} {name} left and deleted");
    }
}
