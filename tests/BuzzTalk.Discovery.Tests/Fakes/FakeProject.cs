namespace BuzzTalk.Discovery.Tests.Fakes;

/// <summary>One project's state in <see cref="FakeGcp"/>; guarded by the fake's lock.</summary>
internal sealed class FakeProject
{
    /// <summary>Sorted by zone, then name (ordinal): the order of every list and page. Replaced whole, never mutated.</summary>
    public IReadOnlyList<FakeInstance> Instances { get; set; } = [];

    /// <summary>Zone operations, sorted by zone, then name (ordinal), as the instances. Replaced whole, never mutated.</summary>
    public IReadOnlyList<FakeOperation> Operations { get; set; } = [];

    /// <summary>Every zone the project has had (zones stay, as real zones do, when their last VM goes).</summary>
    public SortedSet<string> Zones { get; } = new(StringComparer.Ordinal);

    /// <summary>Managed groups by <c>region/name</c>.</summary>
    public Dictionary<string, FakeManagedGroup> Groups { get; } = new(StringComparer.Ordinal);
}
