using System.Globalization;
using System.Text.Json.Nodes;

namespace BuzzTalk.Bench;

/// <summary>
/// Discovery as it ships (Native AOT, its own process, default log levels, file_sd JSON and YAML and its state
/// file written) over a large inventory from the Compute API fake in another process: resident memory once the
/// first refresh is served, then across refreshes while the http_sd endpoints are read as Prometheus reads them,
/// and the bytes each refresh downloads.
/// </summary>
public static class DiscoveryInventoryRssBenchmark
{
    public static async Task<int> RunAsync(string repository, IReadOnlyList<int> sizes, int refreshes, TimeSpan interval, string? published,
        TextWriter output, CancellationToken cancellationToken)
    {
        var work = Directory.CreateTempSubdirectory("bt-drss-");
        try
        {
            var binary = published ?? Path.Combine(work.FullName, "publish");
            if (published is null)
            {
                await RssBenchmark.PublishAsync(repository, "BuzzTalk.Discovery", binary, aot: true, cancellationToken);
            }

            output.WriteLine($"| instances | RSS MB after the first refresh (+5 s) | RSS MB across {refreshes} refreshes: min / median / max | last | bytes downloaded per refresh (gzip) | JSON bytes per refresh | Compute calls per refresh |");
            output.WriteLine("|---|---|---|---|---|---|---|");
            foreach (var size in sizes)
            {
                var dir = Path.Combine(work.FullName, size.ToString(CultureInfo.InvariantCulture));
                Directory.CreateDirectory(dir);
                await using var gcp = await FakeGcpProcess.StartAsync(size, zones: 3, dir, cancellationToken);
                var configuration = gcp.DiscoveryConfiguration(pageSize: 500);
                configuration["Discovery:RefreshInterval"] = interval.ToString("c", CultureInfo.InvariantCulture);
                configuration["Discovery:RefreshTimeout"] = "00:02:00";
                configuration["Discovery:FileSd:JsonPath"] = Path.Combine(dir, "sd", "gcp_instances.json");
                configuration["Discovery:FileSd:YamlPath"] = Path.Combine(dir, "sd", "gcp_instances.yml");
                configuration["Discovery:StateDirectory"] = Path.Combine(dir, "state");
                await using var service = await ServiceProcess.StartAsync(Path.Combine(binary, "BuzzTalk.Discovery"), configuration, "/sd/targets", [], cancellationToken,
                    readyTimeout: TimeSpan.FromMinutes(3));
                using var stats = new HttpClient();
                var first = await StatsAsync(stats, gcp, cancellationToken);
                await ReadAsPrometheusAsync(service, cancellationToken);
                await Task.Delay(TimeSpan.FromSeconds(5), cancellationToken);
                var loaded = Rss(service.Id);

                var samples = new List<double>();
                for (var i = 0; i < refreshes; i++)
                {
                    var end = DateTime.UtcNow + interval;
                    await ReadAsPrometheusAsync(service, cancellationToken);
                    while (DateTime.UtcNow < end)
                    {
                        samples.Add(Rss(service.Id));
                        await Task.Delay(TimeSpan.FromMilliseconds(250), cancellationToken);
                    }
                }

                var last = await StatsAsync(stats, gcp, cancellationToken);
                var pages = (size + 499) / 500;
                var perRefresh = Math.Max(1.0, (last.Calls - first.Calls) / (double)pages);
                var final = samples[^1];
                samples.Sort();
                output.WriteLine(
                    $"| {size:N0} | {loaded:F1} | {samples[0]:F1} / {samples[samples.Count / 2]:F1} / {samples[^1]:F1} | {final:F1} "
                    + $"| {(last.Wire - first.Wire) / perRefresh / 1024 / 1024:F2} MB | {(last.Body - first.Body) / perRefresh / 1024 / 1024:F1} MB "
                    + $"| {pages} |");
                output.WriteLine($"<!-- {size}: {perRefresh:F1} refreshes in the window, {samples.Count} samples -->");
            }

            return 0;
        }
        finally
        {
            work.Delete(recursive: true);
        }
    }

    /// <summary>Prometheus' http_sd reads (the inventory and a job) and a scrape.</summary>
    private static async Task ReadAsPrometheusAsync(ServiceProcess service, CancellationToken cancellationToken)
    {
        foreach (var path in new[] { "/sd/targets", "/sd/targets/node-exporter", "/metrics" })
        {
            using var response = await service.Http.GetAsync(new Uri(path, UriKind.Relative), cancellationToken);
            await response.Content.CopyToAsync(Stream.Null, cancellationToken);
        }
    }

    /// <summary>
    /// The fake's counters. Calls are the refreshes' alone: the preemption watch's polls (on, as shipped) are left out;
    /// their answers (a few hundred bytes each, no preemptions here) stay in the byte counts.
    /// </summary>
    private static async Task<(long Calls, long Wire, long Body)> StatsAsync(HttpClient http, FakeGcpProcess gcp, CancellationToken cancellationToken)
    {
        var json = JsonNode.Parse(await http.GetStringAsync(gcp.StatsUri, cancellationToken))!;
        return (json["computeRequests"]!.GetValue<long>() - json["operationsRequests"]!.GetValue<long>(),
            json["computeWireBytes"]!.GetValue<long>(), json["computeBodyBytes"]!.GetValue<long>());
    }

    private static double Rss(int pid)
    {
        var line = File.ReadLines($"/proc/{pid}/status").Single(l => l.StartsWith("VmRSS:", StringComparison.Ordinal));
        return long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) / 1024.0;
    }
}
