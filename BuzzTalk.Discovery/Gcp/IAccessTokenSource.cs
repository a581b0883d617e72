namespace BuzzTalk.Discovery.Gcp;

/// <summary>An OAuth2 bearer token for the Compute API, cached and refreshed by its source.</summary>
public interface IAccessTokenSource
{
    Task<string> GetTokenAsync(CancellationToken cancellationToken);
}
