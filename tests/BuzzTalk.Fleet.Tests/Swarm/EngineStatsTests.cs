using BuzzTalk.Fleet.Swarm;

namespace BuzzTalk.Fleet.Tests.Swarm;

/// <summary>CPU and memory from Engine API stats, as <c>docker stats</c> computes them.</summary>
public sealed class EngineStatsTests
{
    [Fact]
    public void Cpu_is_the_containers_share_of_the_system_delta_times_the_online_cpus()
    {
        // A busy loop under a 0.05 CPU limit on 2 CPUs, as the engine reported it: 4.93 %.
        Assert.Equal(4.934, EngineStats.CpuPercent(202_730_922, 153_882_428, 51_243_630_000_000, 51_241_650_000_000, 2, 2), 3);
    }

    [Fact]
    public void Without_online_cpus_the_per_cpu_count_stands_in()
    {
        Assert.Equal(50, EngineStats.CpuPercent(2_000, 1_000, 20_000, 16_000, 0, 2), 6);
    }

    [Theory]
    [InlineData(1_000UL, 1_000UL, 20_000UL, 10_000UL)] // no CPU used
    [InlineData(2_000UL, 1_000UL, 10_000UL, 10_000UL)] // no system time passed (one sample only)
    [InlineData(2_000UL, 0UL, 0UL, 0UL)] // a container just started: no system figure yet
    public void A_delta_that_is_not_positive_reads_as_zero_as_the_clis_dashes_did(ulong total, ulong previousTotal, ulong system, ulong previousSystem)
    {
        Assert.Equal(0, EngineStats.CpuPercent(total, previousTotal, system, previousSystem, 2, 2));
    }

    [Fact]
    public void Memory_leaves_out_the_inactive_file_cache_of_cgroup_v1()
    {
        var stats = new Dictionary<string, ulong> { ["total_inactive_file"] = 4_000, ["inactive_file"] = 1_000, ["cache"] = 6_000 };

        Assert.Equal(6_000, EngineStats.MemoryUsed(10_000, stats));
    }

    [Fact]
    public void Memory_leaves_out_the_inactive_file_cache_of_cgroup_v2()
    {
        Assert.Equal(7_000, EngineStats.MemoryUsed(10_000, new Dictionary<string, ulong> { ["inactive_file"] = 3_000, ["file"] = 5_000 }));
    }

    [Fact]
    public void A_cache_figure_not_below_the_usage_is_not_subtracted()
    {
        // cgroup v1's total figure over the usage: the CLI falls back to inactive_file, then to the usage.
        Assert.Equal(9_000, EngineStats.MemoryUsed(10_000, new Dictionary<string, ulong> { ["total_inactive_file"] = 12_000, ["inactive_file"] = 1_000 }));
        Assert.Equal(10_000, EngineStats.MemoryUsed(10_000, new Dictionary<string, ulong> { ["inactive_file"] = 10_000 }));
        Assert.Equal(10_000, EngineStats.MemoryUsed(10_000, null));
        Assert.Equal(0, EngineStats.MemoryUsed(0, null));
    }
}
