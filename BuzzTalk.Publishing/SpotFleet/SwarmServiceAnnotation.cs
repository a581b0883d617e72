namespace BuzzTalk.Publishing.SpotFleet;

/// <summary>Marks a resource as a service of the spot fleet's stack and holds its customisations, applied in order.</summary>
public sealed class SwarmServiceAnnotation : IResourceAnnotation
{
    public List<Action<SwarmServiceOptions>> Configure { get; } = [];

    public SwarmServiceOptions Options()
    {
        var options = new SwarmServiceOptions();
        foreach (var configure in Configure)
        {
            configure(options);
        }

        return options;
    }
}
