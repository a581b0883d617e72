namespace BuzzTalk.Discovery.Gcp;

/// <summary>An OAuth2 bearer token for the Compute API, cached and refreshed by its source.</summary>
public interface IAccessTokenSource
{
    Task<string> GetTokenAsync(CancellationToken cancellationToken);

    /// <summary>
    /// The API refused <paramref name="token"/> (401): forget it if it is still the cached one, so the next
    /// <see cref="GetTokenAsync"/> requests a new one.
    /// </summary>
    void Invalidate(string token);
}
