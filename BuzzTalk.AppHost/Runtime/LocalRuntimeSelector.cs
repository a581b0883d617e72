namespace BuzzTalk.AppHost.Runtime;

/// <summary>Resolves <see cref="LocalRuntime.Auto"/> to a concrete profile.</summary>
public static class LocalRuntimeSelector
{
    public static async Task<LocalRuntimeChoice> SelectAsync(
        LocalRuntime requested,
        IEnumerable<string> images,
        IContainerEngineProbe probe,
        CancellationToken cancellationToken)
    {
        if (requested != LocalRuntime.Auto)
        {
            return new(requested, $"BuzzTalk:LocalRuntime is set to {requested.ToString().ToLowerInvariant()}");
        }

        var engine = await probe.FindEngineAsync(cancellationToken).ConfigureAwait(false);
        if (engine is null)
        {
            return new(LocalRuntime.Processes, "no Docker or Podman engine answered");
        }

        // Auto never pulls: a pull reaches outside this machine and may take minutes.
        var missing = new List<string>();
        foreach (var image in images)
        {
            if (!await probe.HasImageAsync(image, cancellationToken).ConfigureAwait(false))
            {
                missing.Add(image);
            }
        }

        return missing.Count == 0
            ? new(LocalRuntime.Containers, $"the engine at {engine} has every configured image")
            : new(LocalRuntime.Processes,
                $"the engine at {engine} lacks {string.Join(", ", missing)} (auto does not pull; set BuzzTalk:LocalRuntime=containers to pull)");
    }
}
