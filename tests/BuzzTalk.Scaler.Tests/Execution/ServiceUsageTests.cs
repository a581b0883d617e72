using BuzzTalk.Fleet.Swarm;
using BuzzTalk.Scaler.Configuration;
using BuzzTalk.Scaler.Decisions;
using BuzzTalk.Scaler.Execution;

namespace BuzzTalk.Scaler.Tests.Execution;

/// <summary>
/// What the decision reads as a service's usage: CPU and memory, each against its own target,
/// and over the evaluator's window the median, so one sample that caught a health check does not count.
/// </summary>
public sealed class ServiceUsageTests
{
    // The seed's backend: 0.06 CPU and 256 MB per container.
    private static readonly SwarmService Backend = new("id", "buzztalk_backend", "backend:v1", 2,
        new Fleet.Swarm.Resources(60_000_000, 256L << 20), new Fleet.Swarm.Resources(40_000_000, 180L << 20));

    [Fact]
    public void An_idle_replica_at_a_third_of_its_memory_limit_does_not_hold_a_second_replica()
    {
        var options = new ScalerOptions();
        // Idle Django: no CPU to speak of, 87 MB resident.
        ContainerStats[] stats = [new("a", Backend.Name, 0.1, 87L << 20, 256L << 20), new("b", Backend.Name, 0.1, 87L << 20, 256L << 20)];

        var usage = ScaleExecutor.Usage(stats, Backend, options)!.Value;
        var decision = new TargetTrackingEngine(options.TargetTracking, TimeProvider.System)
            .Decide("h/buzztalk_backend", new ScaleInput(2, usage, 1, 4, 10), requireHistory: false);

        Assert.Equal(1, decision.Desired);
    }

    [Fact]
    public void Cpu_over_its_target_counts_in_full_and_memory_near_its_limit_still_scales_up()
    {
        var options = new ScalerOptions();
        ContainerStats[] busy = [new("a", Backend.Name, 6.0, 90L << 20, 256L << 20)];
        Assert.Equal(1.0, ScaleExecutor.Usage(busy, Backend, options)!.Value, 3);

        ContainerStats[] full = [new("a", Backend.Name, 0.1, 243L << 20, 256L << 20)];
        Assert.True(ScaleExecutor.Usage(full, Backend, options) > options.TargetTracking.TargetUsage * (1 + options.TargetTracking.Tolerance));
    }

    [Fact]
    public void Seed_mode_holds_memory_to_the_seeds_85_percent_threshold()
    {
        var options = new ScalerOptions { Mode = DecisionMode.Seed };
        ContainerStats[] at80 = [new("a", Backend.Name, 0.1, 205L << 20, 256L << 20)];
        ContainerStats[] at90 = [new("a", Backend.Name, 0.1, 231L << 20, 256L << 20)];

        Assert.True(ScaleExecutor.Usage(at80, Backend, options) < SeedRule.CpuThreshold);
        Assert.True(ScaleExecutor.Usage(at90, Backend, options) > SeedRule.CpuThreshold);
    }

    [Fact]
    public void One_spiked_sample_in_the_window_does_not_move_the_usage_but_sustained_load_does()
    {
        Assert.Equal(0.08, ScaleEvaluator.Median([0.05, 0.08, 1.0, 0.07, 0.09, 0.08]), 3);
        Assert.Equal(0.95, ScaleEvaluator.Median([0.05, 0.9, 1.0, 0.95, 1.0]), 3);
        Assert.Equal(0, ScaleEvaluator.Median([]));
    }

    // The backend's limit is 0.06 CPU: 6 % of a CPU is 100 % of it. The target is 60 %.
    [Theory]
    [InlineData("warm 100, starting 100", 0.6)] // counted at 0 the pair asks for 0.5: no change either way
    [InlineData("warm 100, warm 100, starting 100", 0.667)] // still over the target with the starting one at 0
    [InlineData("warm 10, starting 100", 0.35)] // a scale-down counts the starting one at the target
    [InlineData("warm 50, starting 0", 0.55)]
    [InlineData("warm 80, warm 20", 0.5)]
    public void Starting_containers_count_at_zero_for_a_scale_up_and_at_the_target_for_a_scale_down(string containers, double expected)
    {
        var stats = containers.Split(", ").Select((c, i) => c.Split(' ') is [var state, var percent]
            ? new ContainerStats($"c{i}", Backend.Name, double.Parse(percent, System.Globalization.CultureInfo.InvariantCulture) * 0.06, 20L << 20, 256L << 20, Starting: state == "starting")
            : throw new ArgumentException(c)).ToList();

        Assert.Equal(expected, ScaleExecutor.Usage(stats, Backend, new ScalerOptions())!.Value, 3);
    }

    [Fact]
    public void A_service_whose_every_container_is_starting_has_no_usage_to_decide_on()
    {
        ContainerStats[] stats = [new("a", Backend.Name, 6.0, 90L << 20, 256L << 20, Starting: true)];

        Assert.Null(ScaleExecutor.Usage(stats, Backend, new ScalerOptions()));
        Assert.Equal(0, ScaleExecutor.Usage([], Backend, new ScalerOptions()));
    }
}
