using System.Diagnostics;
using BuzzTalk.Discovery.Extensions;
using BuzzTalk.Discovery.Providers;
using BuzzTalk.Testing;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace BuzzTalk.Bench;

/// <summary>
/// One full GCP refresh (token, every page of <c>instances.aggregatedList</c>, filtering and
/// mapping) with Discovery's real wiring, against the fake Compute API in another process.
/// </summary>
public static class DiscoveryRefreshBenchmark
{
    public static async Task<int> RunAsync(int instances, int zones, int pageSize, int runs, TextWriter output, CancellationToken cancellationToken)
    {
        using var dir = new ScratchDirectory();
        await using var gcp = await FakeGcpProcess.StartAsync(instances, zones, dir.Path, cancellationToken);

        var builder = WebApplication.CreateSlimBuilder();
        builder.Configuration.AddInMemoryCollection(gcp.DiscoveryConfiguration(pageSize));
        builder.Logging.ClearProviders();
        builder.AddServiceDefaults();
        builder.AddDiscovery();
        await using var app = builder.Build();
        var provider = app.Services.GetRequiredService<IInstanceProvider>();

        // Warm-up: JIT, connection pool, the token.
        for (var i = 0; i < 3; i++)
        {
            await provider.ListAsync(cancellationToken);
        }

        var times = new List<double>();
        var allocations = new List<double>();
        for (var i = 0; i < runs; i++)
        {
            var allocatedBefore = GC.GetTotalAllocatedBytes(precise: true);
            var watch = Stopwatch.StartNew();
            var listed = await provider.ListAsync(cancellationToken);
            watch.Stop();
            allocations.Add((GC.GetTotalAllocatedBytes(precise: true) - allocatedBefore) / 1024.0 / 1024.0);
            times.Add(watch.Elapsed.TotalMilliseconds);
            if (listed.Instances.Count != instances)
            {
                throw new InvalidOperationException($"listed {listed.Instances.Count} of {instances} instances");
            }
        }

        times.Sort();
        allocations.Sort();
        output.WriteLine($"| instances | zones | page size | pages | runs | min ms | median ms | max ms | allocated MB (median) |");
        output.WriteLine("|---|---|---|---|---|---|---|---|---|");
        output.WriteLine($"| {instances} | {zones} | {pageSize} | {(instances + pageSize - 1) / pageSize} | {runs} | {times[0]:F0} | {times[runs / 2]:F0} | {times[^1]:F0} | {allocations[runs / 2]:F1} |");
        return 0;
    }
}
