namespace BuzzTalk.Discovery.Providers;

/// <summary>A provider's answer: the instances to publish, in publication order, and those left out.</summary>
public sealed record InstanceList(IReadOnlyList<DiscoveredInstance> Instances, IReadOnlyList<DroppedInstance> Dropped)
{
    public static InstanceList Of(IReadOnlyList<DiscoveredInstance> instances) => new(instances, []);
}
