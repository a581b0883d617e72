using BuzzTalk.Scaler.Decisions;

namespace BuzzTalk.Scaler.Tests.Decisions;

/// <summary>
/// The seed's rule on an e2-micro (985 MB MemTotal, 0.25 CPU) running the seed's services:
/// backend 256 MB / 0.06, frontend 60 MB / 0.025, node-exporter 60 MB / 0.025, cadvisor 128 MB / 0.05.
/// Expected values are worked out by hand from ORIGINAL-BEHAVIOUR.md.
/// </summary>
public sealed class SeedRuleTests
{
    private const double MemTotal = 985;
    private const double Infra = SeedInputs.SeedInfraMemoryReservationMb; // 101.09 MB
    private const double OtherCpu = 0.025 + 0.025 + 0.05;                 // frontend, node-exporter, cadvisor
    private const double FrontendMem = 60;

    /// <summary>The backend with <paramref name="active"/> replicas running.</summary>
    private static SeedInputs Backend(int active, double cpu, double mem, double memTotal = MemTotal, int desired = 1) => new(
        TotalMemoryMb: memTotal,
        TotalCpus: SeedInputs.SeedTotalCpus,
        InfraMemoryReservationMb: Infra,
        ContainerMemoryLimitMb: 256,
        ContainerCpuLimit: 0.06,
        SumAppMemoryLimitsMb: (256 * active) + FrontendMem,
        SumCpuLimits: (0.06 * active) + OtherCpu,
        AverageMemoryUsage: mem,
        AverageCpuUsage: cpu,
        ActiveContainers: active,
        DesiredContainers: desired);

    public static TheoryData<string, SeedInputs, int, bool, string, int, int> Cases => new()
    {
        // name, inputs, new, trigger, scaling, can_mem, can_cpu
        { "cpu over 0.7 with room: one more", Backend(1, cpu: 0.9, mem: 0.3), 2, true, "up", 2, 1 },
        { "memory over 0.85 with room: one more", Backend(1, cpu: 0.1, mem: 0.9), 2, true, "up", 2, 1 },
        { "hot but no cpu room left: stays, no trigger", Backend(2, cpu: 0.9, mem: 0.3), 2, false, "not_possible", 1, 0 },
        { "hot but no memory room: stays, no trigger", Backend(1, cpu: 0.9, mem: 0.3, memTotal: 600), 1, false, "not_possible", 0, 1 },
        { "cool with two running: one fewer", Backend(2, cpu: 0.2, mem: 0.3), 1, true, "down", 1, 0 },
        { "cool with the desired one: nothing", Backend(1, cpu: 0.2, mem: 0.3), 1, false, "not_possible", 2, 1 },
        { "none running: back to desired", Backend(0, cpu: 0, mem: 0), 1, true, "up", 3, 2 },
        { "exactly at the thresholds is not over them", Backend(1, cpu: 0.7, mem: 0.85), 1, false, "not_possible", 2, 1 },
        { "fewer than desired and room: up even when cool", Backend(1, cpu: 0.1, mem: 0.1, desired: 2), 2, true, "up", 2, 1 },
        { "above desired but hot: stays", Backend(2, cpu: 0.9, mem: 0.9, memTotal: 2000), 2, false, "not_possible", 5, 0 },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void Backend_cases(string name, SeedInputs inputs, int expected, bool trigger, string scaling, int canMemory, int canCpu)
    {
        var decision = SeedRule.Decide(inputs);

        Assert.True(expected == decision.NewContainers, $"{name}: new {decision.NewContainers}");
        Assert.Equal(trigger, decision.Trigger);
        Assert.Equal(scaling, decision.Scaling);
        Assert.Equal(canMemory, decision.CanScaleMemory);
        Assert.Equal(canCpu, decision.CanScaleCpu);
    }

    [Fact]
    public void The_frontend_has_room_for_three_more_by_cpu()
    {
        var decision = SeedRule.Decide(new SeedInputs(MemTotal, SeedInputs.SeedTotalCpus, Infra, 60, 0.025,
            SumAppMemoryLimitsMb: 256 + 60, SumCpuLimits: 0.06 + OtherCpu, AverageMemoryUsage: 0.2, AverageCpuUsage: 0.95, ActiveContainers: 1));

        Assert.Equal(3, decision.CanScaleCpu);   // (0.25 - 0.16) / 0.025 = 3.6
        Assert.Equal(9, decision.CanScaleMemory); // (985 - 316 - 101.09) / 60 = 9.47
        Assert.Equal(2, decision.NewContainers);
    }

    [Fact]
    public void Float_noise_does_not_cost_a_container()
    {
        // (0.25 - 0.2) / 0.05 is 1 exactly, 0.9999999999999998 in binary floating point.
        var decision = SeedRule.Decide(Backend(1, cpu: 0.9, mem: 0.1) with { SumCpuLimits = 0.2, ContainerCpuLimit = 0.05 });

        Assert.Equal(1, decision.CanScaleCpu);
    }
}
