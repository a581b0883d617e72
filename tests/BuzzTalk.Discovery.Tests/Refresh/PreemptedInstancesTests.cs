using System.Globalization;
using BuzzTalk.Discovery.Providers;
using BuzzTalk.Discovery.Refresh;

namespace BuzzTalk.Discovery.Tests.Refresh;

public sealed class PreemptedInstancesTests
{
    private static readonly DateTimeOffset s_start = DateTimeOffset.Parse("2026-12-05T08:00:00Z", CultureInfo.InvariantCulture);
    private static readonly DiscoveredInstance s_a = Instance("a", "1001");
    private static readonly DiscoveredInstance s_b = Instance("b", "1002");
    private static readonly DiscoveredInstance s_c = Instance("c", "1003");
    private readonly PreemptedInstances _preempted = new();

    [Fact]
    public void Without_preemptions_a_refresh_publishes_its_own_list()
    {
        IReadOnlyList<DiscoveredInstance> listed = [s_a, s_b];

        Assert.Same(listed, _preempted.Filter(listed, s_start, s_start));
    }

    [Fact]
    public void A_preempted_id_is_kept_out_until_a_refresh_begun_after_it_no_longer_lists_it()
    {
        _preempted.Record([1002], s_start);

        // Still RUNNING (its notice): left out, and kept.
        Assert.Equal(["a", "c"], Names(_preempted.Filter([s_a, s_b, s_c], s_start.AddSeconds(10), s_start.AddSeconds(11))));
        Assert.True(_preempted.Contains(s_b));

        // Stopped: forgotten, so the VM started again under its id is served.
        Assert.Equal(["a", "c"], Names(_preempted.Filter([s_a, s_c], s_start.AddSeconds(70), s_start.AddSeconds(71))));
        Assert.Equal(0, _preempted.Count);
        Assert.Equal(["a", "b", "c"], Names(_preempted.Filter([s_a, s_b, s_c], s_start.AddSeconds(130), s_start.AddSeconds(131))));
    }

    [Fact]
    public void An_id_recorded_while_a_refresh_was_listing_is_kept_for_the_next_refresh()
    {
        // The refresh read its pages before the VM was listed; the preemption came in meanwhile.
        _preempted.Record([1002], s_start.AddSeconds(5));
        Assert.Equal(["a"], Names(_preempted.Filter([s_a], s_start, s_start.AddSeconds(6))));

        Assert.Equal(["a"], Names(_preempted.Filter([s_a, s_b], s_start.AddSeconds(60), s_start.AddSeconds(61))));
    }

    [Fact]
    public void A_preempted_id_is_served_again_after_an_hour_even_while_listed()
    {
        _preempted.Record([1002], s_start);
        Assert.Equal(["a"], Names(_preempted.Filter([s_a, s_b], s_start.AddMinutes(30), s_start.AddMinutes(30))));

        Assert.Equal(["a", "b"], Names(_preempted.Filter([s_a, s_b], s_start + PreemptedInstances.Retention, s_start + PreemptedInstances.Retention)));
        Assert.Equal(0, _preempted.Count);
    }

    [Fact]
    public void Ids_are_matched_as_numbers_and_an_instance_without_one_is_never_left_out()
    {
        _preempted.Record([1002], s_start);

        Assert.True(_preempted.Contains(Instance("renamed", "1002")));
        Assert.False(_preempted.Contains(Instance("b", "")));
        Assert.False(_preempted.Contains(Instance("b", "not-a-number")));
        Assert.False(_preempted.Contains(Instance("b", "1003")));
    }

    private static DiscoveredInstance Instance(string name, string id) => new() { Name = name, Id = id, PublicIp = "127.0.0.11" };

    private static List<string> Names(IReadOnlyList<DiscoveredInstance> instances) => [.. instances.Select(i => i.Name)];
}
