using System.Diagnostics;
using System.Net;

namespace BuzzTalk.Testing;

/// <summary>
/// A client asking the balancer for a path at a steady pace, as a user's browser would, until
/// stopped: how many requests failed (an error status, a refused or cut connection, no answer in
/// time) and for how long in all no request was served (from a failure after a success to the
/// next success).
/// </summary>
public sealed class BalancerProbe
{
    private readonly CancellationTokenSource _stop = new();
    private readonly Task<ProbeResult> _run;

    private BalancerProbe(Uri url, TimeSpan pace) => _run = Task.Run(() => RunAsync(url, pace, _stop.Token));

    public static BalancerProbe Start(Uri url, TimeSpan pace) => new(url, pace);

    public async Task<ProbeResult> StopAsync()
    {
        await _stop.CancelAsync();
        var result = await _run;
        _stop.Dispose();
        return result;
    }

    private static async Task<ProbeResult> RunAsync(Uri url, TimeSpan pace, CancellationToken stop)
    {
        // A new connection per request: a kept-alive one would stay with one instance.
        using var http = new HttpClient(new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.Zero }) { Timeout = TimeSpan.FromSeconds(5) };
        var begun = Stopwatch.GetTimestamp();
        var sent = 0;
        var failures = new List<string>();
        var unserved = TimeSpan.Zero;
        long? failingSince = null;
        while (!stop.IsCancellationRequested)
        {
            var started = Stopwatch.GetTimestamp();
            string? failure;
            try
            {
                using var response = await http.GetAsync(url, CancellationToken.None);
                failure = response.StatusCode == HttpStatusCode.OK ? null : $"{(int)response.StatusCode}";
            }
            catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException)
            {
                failure = ex.GetType().Name + ": " + ex.Message;
            }

            sent++;
            if (failure is null)
            {
                if (failingSince is { } since)
                {
                    unserved += Stopwatch.GetElapsedTime(since);
                    failingSince = null;
                }
            }
            else
            {
                failures.Add(string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{Stopwatch.GetElapsedTime(begun, started).TotalSeconds:F1} s: {failure}"));
                failingSince ??= started;
            }

            try
            {
                await Task.Delay(pace, stop);
            }
            catch (OperationCanceledException)
            {
                break;
            }
        }

        if (failingSince is { } open)
        {
            unserved += Stopwatch.GetElapsedTime(open);
        }

        return new ProbeResult(sent, failures, unserved);
    }
}

/// <param name="Sent">Requests sent.</param>
/// <param name="Failures">Each failed request: when (seconds from the start) and its status or error.</param>
/// <param name="Unserved">Time in all during which requests failed.</param>
public sealed record ProbeResult(int Sent, IReadOnlyList<string> Failures, TimeSpan Unserved);
