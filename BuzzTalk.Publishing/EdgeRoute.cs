namespace BuzzTalk.Publishing;

/// <summary>What each instance's edge nginx sends to a published service.</summary>
public enum EdgeRoute
{
    /// <summary>Nothing: the service is reached by other services only.</summary>
    None,

    /// <summary>The site itself: <c>/</c>, the SPA's static files.</summary>
    Site,

    /// <summary>The chat backend: <c>/backend/</c> (prefix stripped) and the <c>/ws/</c> websockets.</summary>
    Backend,

    /// <summary>Its own path prefix (<see cref="SwarmServiceSpec.EdgePath"/>), prefix stripped, websockets allowed.</summary>
    Prefix,
}
