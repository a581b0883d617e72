namespace BuzzTalk.AppHost.Runtime;

/// <summary>What <see cref="LocalRuntimeSelector"/> needs to know about a container engine.</summary>
public interface IContainerEngineProbe
{
    /// <summary>The engine's address when one answers its ping, else null.</summary>
    Task<string?> FindEngineAsync(CancellationToken cancellationToken);

    /// <summary>Whether the image is present in the engine's local store.</summary>
    Task<bool> HasImageAsync(string image, CancellationToken cancellationToken);
}
