namespace BuzzTalk.Scaler;

/// <summary>
/// Gives memory back after a burst. The garbage collector returns free memory to the OS only
/// while it collects, and an idle service allocates nothing, so it never collects: after a burst
/// of webhooks (a large body of a thousand alerts is about a megabyte of objects, eight of them at
/// once) the heap kept its peak, 20 MB over idle, for good (issue 16). Every
/// <see cref="Interval"/>, once a burst of at least <see cref="BurstBytes"/> is over (less than
/// <see cref="QuietBytes"/> allocated since the last look), one aggressive full collection
/// compacts the heap and decommits what is free: a few milliseconds for the Scaler's small heap.
/// </summary>
public sealed class MemoryTrimmer(TimeProvider time, ILogger<MemoryTrimmer> logger) : BackgroundService
{
    public static readonly TimeSpan Interval = TimeSpan.FromSeconds(5);

    public const long BurstBytes = 16 * 1024 * 1024;

    public const long QuietBytes = 1024 * 1024;

    /// <summary>Looks taken (one per interval), for tests.</summary>
    public int Looks => Volatile.Read(ref _looks);

    /// <summary>Collections this trimmer ran, for tests.</summary>
    public int Trims { get; private set; }

    private int _looks;

    private PeriodicTimer? _timer;
    private long _startAllocated;

    public override Task StartAsync(CancellationToken cancellationToken)
    {
        // Here, not in ExecuteAsync (which runs in the background): the first interval counts from the start.
        _timer = new PeriodicTimer(Interval, time);
        _startAllocated = GC.GetTotalAllocatedBytes();
        return base.StartAsync(cancellationToken);
    }

    public override void Dispose()
    {
        _timer?.Dispose();
        base.Dispose();
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var timer = _timer!;
        var trimmedAt = _startAllocated;
        var last = trimmedAt;
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false))
            {
                var now = GC.GetTotalAllocatedBytes();
                if (now - last < QuietBytes && now - trimmedAt >= BurstBytes)
                {
                    var before = Environment.WorkingSet;
                    GC.Collect(GC.MaxGeneration, GCCollectionMode.Aggressive, blocking: true, compacting: true);
                    Trims++;
                    ScalerLog.MemoryTrimmed(logger, (now - trimmedAt) / 1024 / 1024, before / 1024 / 1024, Environment.WorkingSet / 1024 / 1024);
                    trimmedAt = GC.GetTotalAllocatedBytes();
                    now = trimmedAt;
                }

                last = now;
                Interlocked.Increment(ref _looks);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Stopping.
        }
    }
}
