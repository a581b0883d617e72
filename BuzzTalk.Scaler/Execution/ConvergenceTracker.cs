using System.Collections.Concurrent;
using System.Diagnostics;
using BuzzTalk.Scaler.Configuration;
using BuzzTalk.Scaler.Notifications;
using Microsoft.Extensions.Options;

namespace BuzzTalk.Scaler.Execution;

/// <summary>
/// Follows an issued scale in the background until the new count runs (or
/// <c>Scaler:ConvergenceTimeout</c>), so a webhook is answered as soon as the engine took the new
/// count. The result goes into the decision's <see cref="ScaleOutcome.Convergence"/> in
/// <c>/api/decisions</c>, the convergence metrics and, when the count is not reached, a log line
/// and Discord. A newer scale of the same service supersedes the watch of the older one.
/// </summary>
public sealed class ConvergenceTracker(
    HostConnections hosts,
    DecisionLog log,
    DecisionNotifier notifier,
    ScalerMetrics metrics,
    IOptions<ScalerOptions> options,
    TimeProvider time,
    ILogger<ConvergenceTracker> logger) : IAsyncDisposable
{
    private readonly CancellationTokenSource _stopping = new();
    private readonly ConcurrentDictionary<string, Watch> _watches = new(StringComparer.Ordinal);

    /// <summary>Watches being followed now.</summary>
    public int Pending => _watches.Count;

    /// <summary>Starts following <paramref name="issued"/> (already recorded), replacing an older watch of the same service.</summary>
    /// <param name="issued">The recorded decision, <see cref="ScaleOutcome.Convergence"/> pending.</param>
    /// <param name="started">The request's <see cref="Stopwatch.GetTimestamp"/>.</param>
    public void Follow(ScaleOutcome issued, long started)
    {
        ArgumentNullException.ThrowIfNull(issued);
        if (_stopping.IsCancellationRequested)
        {
            return;
        }

        var key = $"{issued.Host}/{issued.Service}";
        var watch = new Watch(CancellationTokenSource.CreateLinkedTokenSource(_stopping.Token));
        if (_watches.TryGetValue(key, out var older))
        {
            try
            {
                older.Cancel.Cancel();
            }
            catch (ObjectDisposedException)
            {
                // It ended meanwhile.
            }
        }

        _watches[key] = watch;
        metrics.ConvergencePending(1);
        watch.Task = Task.Run(() => WatchAsync(key, watch, issued, started));
    }

    public async ValueTask DisposeAsync()
    {
        await _stopping.CancelAsync().ConfigureAwait(false);
        await Task.WhenAll(_watches.Values.Select(w => w.Task)).ConfigureAwait(false);
        _stopping.Dispose();
    }

    private async Task WatchAsync(string key, Watch watch, ScaleOutcome issued, long started)
    {
        var o = options.Value;
        var desired = issued.To ?? 0;
        string convergence;
        int? running = null;
        string? problem = null;
        try
        {
            running = await hosts.Engine(issued.Host).WaitForRunningAsync(issued.Service, desired, o.ConvergenceTimeout, o.PollInterval, o.Ssh.CommandTimeout,
                time, watch.Cancel.Token).ConfigureAwait(false);
            convergence = running == desired ? ScaleOutcome.Converged : ScaleOutcome.TimedOut;
            problem = running == desired ? null : $"only {running} of {desired} running after {o.ConvergenceTimeout.TotalSeconds:0} s";
        }
        catch (OperationCanceledException) when (watch.Cancel.IsCancellationRequested)
        {
            // A newer scale of the service, or the Scaler stopping: nobody learns more from this watch.
            convergence = _stopping.IsCancellationRequested ? ScaleOutcome.Unknown : ScaleOutcome.Superseded;
        }
        catch (Exception ex)
        {
            convergence = ScaleOutcome.Unknown;
            problem = $"could not follow the new count: {ex.Message}";
        }
        finally
        {
            _watches.TryRemove(new KeyValuePair<string, Watch>(key, watch));
            watch.Cancel.Dispose();
            metrics.ConvergencePending(-1);
        }

        var elapsed = Stopwatch.GetElapsedTime(started);
        var followed = issued with { Convergence = convergence, ConvergedMs = elapsed.TotalMilliseconds, Running = running };
        log.Converged(issued, followed);
        metrics.Convergence(convergence, elapsed.TotalSeconds);
        if (problem is not null)
        {
            ScalerLog.NotConverged(logger, issued.Service, issued.Host, issued.From ?? 0, desired, problem);
            notifier.Notify(followed with { Result = ScaleOutcome.Failed, Reason = $"{issued.Reason}; {problem}" });
        }
    }

    private sealed class Watch(CancellationTokenSource cancel)
    {
        public CancellationTokenSource Cancel { get; } = cancel;

        public Task Task { get; set; } = Task.CompletedTask;
    }
}
