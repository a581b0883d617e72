using System.Diagnostics;
using BuzzTalk.AppHost.Tests;
using BuzzTalk.Testing;

namespace BuzzTalk.Bench;

/// <summary>
/// Time from starting the AppHost to every service healthy. Cold: a new state directory
/// (MariaDB initialises its data directory, migrations create the tables). Warm: the state of an
/// earlier run is reused, as on a developer's second <c>eng/start.sh</c>.
/// </summary>
public static class StartupBenchmark
{
    private static readonly TimeSpan s_timeout = TimeSpan.FromMinutes(3);

    public static async Task<int> RunAsync(StackProfile profile, int runs, TextWriter output, CancellationToken cancellationToken)
    {
        // The images are built (or found) once, before any clock starts: the figure is a start with the images present.
        var runtime = await StackHost.RuntimeArgumentsAsync(profile, cancellationToken);

        var cold = new List<double>();
        var warm = new List<double>();
        using var warmState = new ScratchDirectory();
        for (var i = 0; i < runs; i++)
        {
            using var coldState = new ScratchDirectory();
            cold.Add(await MeasureAsync(profile, runtime, coldState.Path, cancellationToken));
            warm.Add(await MeasureAsync(profile, runtime, warmState.Path, cancellationToken));
            output.WriteLine($"run {i + 1}: cold {cold[^1]:F1} s, warm {warm[^1]:F1} s");
        }

        // The first warm start used a fresh directory: it is a cold start and is left out.
        var warmOnly = warm.Skip(1).ToList();
        output.WriteLine();
        output.WriteLine("| case | runs | min s | median s | max s |");
        output.WriteLine("|---|---|---|---|---|");
        Row(output, "cold (new state directory)", cold);
        Row(output, "warm (existing state directory)", warmOnly.Count > 0 ? warmOnly : warm);
        return 0;
    }

    private static async Task<double> MeasureAsync(
        StackProfile profile, IReadOnlyList<string> runtime, string stateDirectory, CancellationToken cancellationToken)
    {
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        cts.CancelAfter(s_timeout);
        var watch = Stopwatch.StartNew();
        await using var host = await StackHost.StartAsync(profile, runtime, stateDirectory, cts.Token);
        return watch.Elapsed.TotalSeconds;
    }

    private static void Row(TextWriter output, string name, List<double> seconds)
    {
        var sorted = seconds.Order().ToList();
        output.WriteLine($"| {name} | {sorted.Count} | {sorted[0]:F1} | {sorted[sorted.Count / 2]:F1} | {sorted[^1]:F1} |");
    }
}
