using BuzzTalk.Discovery.Providers;

namespace BuzzTalk.Discovery.Refresh;

/// <summary>The state file: the last good inventory, what it lists, when it was refreshed and its fingerprint.</summary>
public sealed record SavedInventory(string Source, DateTimeOffset RefreshedAt, string Fingerprint, IReadOnlyList<DiscoveredInstance> Instances);
