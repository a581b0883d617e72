using BuzzTalk.Fleet.Inventory;

namespace BuzzTalk.Discovery.Providers;

/// <summary>
/// Returns the whole current set of running, reachable instances, or throws: a provider never
/// returns a partial or empty list because a call failed.
/// </summary>
public interface IInstanceProvider
{
    /// <summary>Short name for logs and metrics: <c>gcp</c>, <c>static</c>, <c>file</c>.</summary>
    string Name { get; }

    Task<IReadOnlyList<FleetInstance>> ListAsync(CancellationToken cancellationToken);
}
