using BuzzTalk.Scaler.Decisions;
using Microsoft.Extensions.Time.Testing;

namespace BuzzTalk.Scaler.Tests.Decisions;

public sealed class TargetTrackingEngineTests
{
    private readonly FakeTimeProvider _time = new();
    private readonly TargetTrackingEngine _engine;

    public TargetTrackingEngineTests() =>
        _engine = new TargetTrackingEngine(new TargetTrackingOptions
        {
            TargetUsage = 0.6,
            Tolerance = 0.1,
            ScaleUpStabilization = TimeSpan.FromSeconds(30),
            ScaleDownStabilization = TimeSpan.FromMinutes(5),
            MaxStepUp = 2,
            MaxStepDown = 1,
        }, _time);

    private static ScaleInput At(int active, double usage, int min = 1, int max = 10, int capacity = 10) => new(active, usage, min, max, capacity);

    [Theory]
    [InlineData(2, 0.9, 3)]   // ceil(2 × 0.9 / 0.6) = 3
    [InlineData(4, 0.3, 2)]   // ceil(4 × 0.3 / 0.6) = 2
    [InlineData(3, 0.65, 3)]  // ratio 1.08: inside the tolerance band
    [InlineData(3, 0.55, 3)]  // ratio 0.92: inside too
    [InlineData(1, 0.67, 2)]  // ratio 1.117: outside
    [InlineData(0, 0, 1)]     // nothing running: back to the minimum
    public void The_recommendation_is_proportional_outside_the_tolerance_band(int active, double usage, int recommended)
    {
        Assert.Equal(recommended, _engine.Decide("h/backend", At(active, usage)).Recommended);
    }

    [Fact]
    public void A_sustained_overload_scales_up_at_once_but_by_at_most_the_step()
    {
        var decision = _engine.Decide("h/backend", At(1, 3.0)); // recommends 5

        Assert.Equal(5, decision.Recommended);
        Assert.Equal(3, decision.Desired);
        Assert.Equal("up", decision.Direction);
    }

    [Fact]
    public void A_single_spike_after_quiet_samples_is_smoothed_by_the_up_window()
    {
        _engine.Decide("h/backend", At(2, 0.6));
        _time.Advance(TimeSpan.FromSeconds(10));

        var spike = _engine.Decide("h/backend", At(2, 1.2));

        Assert.Equal(4, spike.Recommended);
        Assert.False(spike.Changes); // the lowest recommendation of the last 30 s is still 2
        _time.Advance(TimeSpan.FromSeconds(25));
        Assert.Equal(4, _engine.Decide("h/backend", At(2, 1.2)).Desired); // sustained past the window
    }

    [Fact]
    public void Scaling_down_waits_for_the_down_window_and_steps_one_at_a_time()
    {
        _engine.Decide("h/backend", At(3, 0.6));
        _time.Advance(TimeSpan.FromMinutes(1));
        Assert.False(_engine.Decide("h/backend", At(3, 0.1)).Changes);

        _time.Advance(TimeSpan.FromMinutes(4.5));
        var decision = _engine.Decide("h/backend", At(3, 0.1));

        Assert.Equal(2, decision.Desired);
        Assert.Equal("down", decision.Direction);
    }

    [Fact]
    public void Host_capacity_and_the_service_maximum_cap_a_scale_up()
    {
        var capped = _engine.Decide("h/a", At(1, 1.8, capacity: 2));
        var maxed = _engine.Decide("h/b", At(1, 1.8, max: 2));

        Assert.Equal(2, capped.Desired);
        Assert.Contains("host capacity", capped.Reason, StringComparison.Ordinal);
        Assert.Equal(2, maxed.Desired);
        Assert.Contains("service maximum", maxed.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void The_service_minimum_is_kept_even_when_idle()
    {
        _time.Advance(TimeSpan.FromMinutes(10));

        Assert.Equal(2, _engine.Decide("h/backend", At(2, 0.0, min: 2)).Desired);
    }

    [Fact]
    public void With_history_required_a_first_overloaded_sample_waits_for_the_up_window()
    {
        Assert.False(_engine.Decide("h/new", At(1, 3.0), requireHistory: true).Changes);

        _time.Advance(TimeSpan.FromSeconds(15));
        Assert.False(_engine.Decide("h/new", At(1, 3.0), requireHistory: true).Changes);

        _time.Advance(TimeSpan.FromSeconds(15));
        Assert.Equal(3, _engine.Decide("h/new", At(1, 3.0), requireHistory: true).Desired);
    }

    [Fact]
    public void Histories_are_kept_per_host_and_service()
    {
        _engine.Decide("h1/backend", At(2, 0.6));
        _time.Advance(TimeSpan.FromSeconds(5));

        Assert.True(_engine.Decide("h2/backend", At(2, 1.2)).Changes);
    }

    [Theory]
    [InlineData(2.0, 1_000_000_000L, 106_000_000L, 0.1, 120_000_000L, 0.06, 256_000_000L, 3)]  // memory-bound: (1000-106-120)/256 = 3.02
    [InlineData(0.25, 1_000_000_000L, 106_000_000L, 0.16, 316_000_000L, 0.06, 256_000_000L, 1)] // the seed's e2-micro: cpu-bound
    [InlineData(0.25, 1_000_000_000L, 106_000_000L, 0.25, 0L, 0.06, 256_000_000L, 0)]          // full
    public void Capacity_is_the_tighter_of_cpu_and_memory(double cpus, long memory, long infra, double otherCpu, long otherMemory,
        double cpuLimit, long memoryLimit, int expected)
    {
        Assert.Equal(expected, CapacityMath.MaxReplicas(cpus, memory, infra, otherCpu, otherMemory, cpuLimit, memoryLimit));
    }
}
