namespace BuzzTalk.Demo;

/// <summary>
/// A bounded closed-loop load through the instance's nginx: a fixed number of requests in flight,
/// each counted as sent and, unless it ends in a 2xx, as failed. Counters can be read per phase.
/// </summary>
public sealed class LoadGenerator(HttpClient site, int concurrency, string healthPath) : IAsyncDisposable
{
    // A read that touches the database and the backend's health check, which touches MySQL and Redis.
    private readonly string[] _paths = ["/backend/api/rooms/demo/messages", healthPath];
    private readonly CancellationTokenSource _stop = new();
    private Task[] _workers = [];
    private long _sent;
    private long _failed;

    public LoadCounters Counters => new(Interlocked.Read(ref _sent), Interlocked.Read(ref _failed));

    /// <summary>The last failure's reason, for the report.</summary>
    public string? LastFailure { get; private set; }

    public void Start() =>
        _workers = [.. Enumerable.Range(0, concurrency).Select(i => Task.Run(() => WorkAsync(i, _stop.Token)))];

    public async Task StopAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        await Task.WhenAll(_workers).ConfigureAwait(false);
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync().ConfigureAwait(false);
        _stop.Dispose();
    }

    private async Task WorkAsync(int worker, CancellationToken stop)
    {
        for (var i = worker; !stop.IsCancellationRequested; i++)
        {
            try
            {
                using var response = await site.GetAsync(_paths[i % _paths.Length], HttpCompletionOption.ResponseContentRead, stop).ConfigureAwait(false);
                Interlocked.Increment(ref _sent);
                if (!response.IsSuccessStatusCode)
                {
                    Interlocked.Increment(ref _failed);
                    LastFailure = $"{(int)response.StatusCode} {response.ReasonPhrase} on {_paths[i % _paths.Length]}";
                }
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
                return; // stopped mid-request: neither sent nor failed
            }
            catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException or IOException)
            {
                Interlocked.Increment(ref _sent);
                Interlocked.Increment(ref _failed);
                LastFailure = ex.Message;
            }
        }
    }
}

/// <summary>Requests sent and failed so far; subtract two readings for a phase.</summary>
public readonly record struct LoadCounters(long Sent, long Failed)
{
    public static LoadCounters operator -(LoadCounters a, LoadCounters b) => new(a.Sent - b.Sent, a.Failed - b.Failed);
}
