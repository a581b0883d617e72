using BuzzTalk.Fleet.Swarm;
using BuzzTalk.Scaler.Execution;

namespace BuzzTalk.Scaler.Tests.Execution;

/// <summary>Which containers the evaluator counts as starting: new ones for the grace, and any whose health check has not passed.</summary>
public sealed class ContainerWarmupTests
{
    private static readonly DateTimeOffset T0 = new(2026, 12, 3, 0, 0, 0, TimeSpan.Zero);

    private static ContainerStats Container(string id, bool healthStarting = false) => new(id, "svc", 5, 1, 10, healthStarting);

    private static string[] Starting(IEnumerable<ContainerStats> stats) => [.. stats.Where(s => s.Starting).Select(s => s.ContainerId)];

    [Fact]
    public void Containers_running_at_the_first_look_are_not_new_but_a_failing_health_check_still_counts()
    {
        var warmup = new ContainerWarmup(TimeSpan.FromSeconds(30));

        Assert.Equal(["b"], Starting(warmup.Mark([Container("a"), Container("b", healthStarting: true)], T0)));
    }

    [Fact]
    public void A_container_that_appears_later_is_starting_for_the_grace_then_counts()
    {
        var warmup = new ContainerWarmup(TimeSpan.FromSeconds(30));
        warmup.Mark([Container("a")], T0);

        Assert.Equal(["b"], Starting(warmup.Mark([Container("a"), Container("b")], T0.AddSeconds(5))));
        Assert.Equal(["b"], Starting(warmup.Mark([Container("a"), Container("b")], T0.AddSeconds(34))));
        Assert.Empty(Starting(warmup.Mark([Container("a"), Container("b")], T0.AddSeconds(35))));
    }

    [Fact]
    public void A_container_that_left_and_one_that_replaced_it_are_not_confused()
    {
        var warmup = new ContainerWarmup(TimeSpan.FromSeconds(30));
        warmup.Mark([Container("a")], T0);
        warmup.Mark([Container("b")], T0.AddSeconds(10));

        // "a" is back under its own id (never happens in docker, but the map must not keep stale entries).
        Assert.Equal(["a", "b"], Starting(warmup.Mark([Container("a"), Container("b")], T0.AddSeconds(20))));
    }

    [Fact]
    public void No_grace_leaves_only_the_health_check()
    {
        var warmup = new ContainerWarmup(TimeSpan.Zero);
        warmup.Mark([], T0);

        Assert.Equal(["c"], Starting(warmup.Mark([Container("b"), Container("c", healthStarting: true)], T0.AddSeconds(1))));
    }
}
