namespace BuzzTalk.Deployer.Bundle;

/// <summary>
/// One service of the bundle's swarm stack: its name in the stack and its <c>image</c> exactly as
/// written (it may hold a <c>${VAR:-default}</c> tag that <c>docker stack deploy</c> fills in).
/// </summary>
public sealed record BundleService(string Name, string Image)
{
    /// <summary>The variables the stack file sets for this service itself (<c>environment:</c>).</summary>
    public IReadOnlyList<string> Environment { get; init; } = [];
}
