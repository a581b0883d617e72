using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace BuzzTalk.Scaler.Tests;

/// <summary>
/// After a burst of allocations, once it is over, the trimmer runs one full collection that gives
/// the memory back; while the burst goes on, or without one, it does nothing. Alone in its
/// collection: the allocation counter is the whole process's.
/// </summary>
[Collection(nameof(MemoryTrimmerTests))]
[CollectionDefinition(nameof(MemoryTrimmerTests), DisableParallelization = true)]
public sealed class MemoryTrimmerTests
{
    private static byte[]? s_sink;

    [Fact]
    public async Task A_burst_is_collected_once_it_is_over_and_quiet_time_collects_nothing()
    {
        var time = new FakeTimeProvider();
        using var trimmer = new MemoryTrimmer(time, NullLogger<MemoryTrimmer>.Instance);
        await trimmer.StartAsync(CancellationToken.None);
        await LookAsync(trimmer, time, 1);
        Assert.Equal(0, trimmer.Trims);

        // The burst: while it lasts (allocated since the last look), no collection.
        for (var i = 0; i < 24 * 1024; i++)
        {
            s_sink = new byte[1024];
        }

        await LookAsync(trimmer, time, 2);
        Assert.Equal(0, trimmer.Trims);

        // Over: one collection, and no more while it stays quiet.
        await LookAsync(trimmer, time, 3);
        Assert.Equal(1, trimmer.Trims);
        await LookAsync(trimmer, time, 4);
        Assert.Equal(1, trimmer.Trims);
        Assert.NotNull(s_sink);

        await trimmer.StopAsync(CancellationToken.None);
    }

    private static async Task LookAsync(MemoryTrimmer trimmer, FakeTimeProvider time, int looks)
    {
        time.Advance(MemoryTrimmer.Interval);
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        while (trimmer.Looks < looks)
        {
            await Task.Delay(TimeSpan.FromMilliseconds(10), deadline.Token);
        }
    }
}
