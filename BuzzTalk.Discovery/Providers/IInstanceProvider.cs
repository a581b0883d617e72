namespace BuzzTalk.Discovery.Providers;

/// <summary>
/// Returns the whole current set of running, reachable instances, or throws: a provider never returns a partial
/// or empty list because a call failed. Instances with invalid data are left out and reported, never published.
/// </summary>
public interface IInstanceProvider
{
    /// <summary>Short name for logs and metrics: <c>gcp</c>, <c>static</c>, <c>file</c>.</summary>
    string Name { get; }

    /// <summary>
    /// What is listed (<c>gcp:project</c>, <c>file:/path</c>, …): an inventory saved for another source is not
    /// served at start.
    /// </summary>
    string Source => Name;

    Task<InstanceList> ListAsync(CancellationToken cancellationToken);
}
