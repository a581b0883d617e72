using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json;
using BuzzTalk.Testing;

namespace BuzzTalk.Discovery.Tests.Servers;

/// <summary>A real Prometheus (Debian package) with a test-written configuration.</summary>
public sealed class PrometheusServer : IAsyncDisposable
{
    private readonly ScratchDirectory _dir = new();
    private ServerProcess? _process;

    public string Directory => _dir.Path;

    public HttpClient Http { get; } = new() { Timeout = TimeSpan.FromSeconds(10) };

    public async Task StartAsync(string configuration)
    {
        var port = ServerProcess.FreePort();
        var config = Path.Combine(_dir.Path, "prometheus.yml");
        await File.WriteAllTextAsync(config, configuration);
        _process = ServerProcess.Start("prometheus", _dir.Path, port,
            $"--config.file={config}", $"--storage.tsdb.path={Path.Combine(_dir.Path, "data")}",
            $"--web.listen-address=127.0.0.1:{port.ToString(CultureInfo.InvariantCulture)}", "--log.level=warn");
        Http.BaseAddress = new Uri($"http://127.0.0.1:{port}/");
        await _process.WaitForPortAsync(TimeSpan.FromSeconds(60));
        await WaitUntilAsync(async () => (await Http.GetAsync("-/ready")).IsSuccessStatusCode, TimeSpan.FromSeconds(60));
    }

    /// <summary>Active targets from <c>/api/v1/targets</c>: scrape pool and target labels.</summary>
    public async Task<IReadOnlyList<(string Pool, Dictionary<string, string> Labels)>> ActiveTargetsAsync()
    {
        var body = await Http.GetFromJsonAsync<JsonElement>("api/v1/targets?state=active");
        return [.. body.GetProperty("data").GetProperty("activeTargets").EnumerateArray().Select(t => (
            t.GetProperty("scrapePool").GetString()!,
            t.GetProperty("labels").EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetString()!)))];
    }

    /// <summary>Sum of one of Prometheus' own counters, read from its <c>/metrics</c>.</summary>
    public async Task<double> OwnMetricAsync(string name, string labelFilter)
    {
        var text = await Http.GetStringAsync("metrics");
        return text.Split('\n')
            .Where(l => l.StartsWith(name, StringComparison.Ordinal) && l.Contains(labelFilter, StringComparison.Ordinal))
            .Sum(l => double.Parse(l[(l.LastIndexOf(' ') + 1)..], CultureInfo.InvariantCulture));
    }

    public static async Task WaitUntilAsync(Func<Task<bool>> condition, TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        while (true)
        {
            try
            {
                if (await condition())
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
                // Not answering yet.
            }

            await Task.Delay(TimeSpan.FromMilliseconds(200), cts.Token);
        }
    }

    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        if (_process is not null)
        {
            await _process.DisposeAsync();
        }

        _dir.Dispose();
    }
}
