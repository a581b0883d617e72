namespace BuzzTalk.Discovery.Gcp;

/// <summary>One way of obtaining an access token; <see cref="GoogleAccessTokenSource"/> caches what it returns.</summary>
public abstract class GcpCredential : IDisposable
{
    /// <summary>What the credential is, for error messages (no secret).</summary>
    public abstract string Description { get; }

    public abstract Task<TokenResponse> RequestTokenAsync(GoogleTokenClient client, DateTimeOffset now, CancellationToken cancellationToken);

    public void Dispose()
    {
        Dispose(disposing: true);
        GC.SuppressFinalize(this);
    }

    protected virtual void Dispose(bool disposing)
    {
    }
}
