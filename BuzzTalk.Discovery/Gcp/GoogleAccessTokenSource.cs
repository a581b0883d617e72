using BuzzTalk.Discovery.Configuration;
using Microsoft.Extensions.Options;

namespace BuzzTalk.Discovery.Gcp;

/// <summary>
/// Access tokens for the Compute API from the configured credential (service-account key, the GCE
/// metadata server, or application default credentials), each kept until five minutes before it
/// expires. Signing and the token requests are ours (<see cref="GcpServiceAccountCredential"/>,
/// <see cref="GoogleTokenClient"/>) rather than Google.Apis.Auth's: that library reads tokens with
/// Newtonsoft.Json by reflection, which kept its whole assembly in the Native AOT binary and cost
/// idle memory (docs/benchmarks.md). A token the API refuses (401: revoked, rotated) is discarded at
/// once (<see cref="Invalidate"/>) instead of being used until it would expire.
/// </summary>
public sealed class GoogleAccessTokenSource(GoogleTokenClient client, IOptions<DiscoveryOptions> options, TimeProvider time)
    : IAccessTokenSource, IDisposable
{
    /// <summary>As Google's libraries: a token this close to its expiry is replaced before use.</summary>
    private static readonly TimeSpan RefreshWindow = TimeSpan.FromMinutes(5);

    private readonly SemaphoreSlim _gate = new(1, 1);
    private GcpCredential? _credential;
    private CachedAccessToken? _token;

    public async Task<string> GetTokenAsync(CancellationToken cancellationToken)
    {
        if (Volatile.Read(ref _token) is { } cached && time.GetUtcNow() < cached.RefreshAfter)
        {
            return cached.Value;
        }

        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            // Another caller may have refreshed while this one waited.
            if (_token is { } current && time.GetUtcNow() < current.RefreshAfter)
            {
                return current.Value;
            }

            _credential ??= await GcpCredentialLoader.LoadAsync(options.Value.Gcp, cancellationToken).ConfigureAwait(false);
            var requested = time.GetUtcNow();
            var response = await _credential.RequestTokenAsync(client, requested, cancellationToken).ConfigureAwait(false);
            // Without expires_in the token is used for this call only, as Google.Apis.Auth treats it.
            var refreshAfter = response.ExpiresIn is { } seconds ? requested.AddSeconds(seconds) - RefreshWindow : requested;
            Volatile.Write(ref _token, new CachedAccessToken(response.AccessToken!, refreshAfter));
            return response.AccessToken!;
        }
        finally
        {
            _gate.Release();
        }
    }

    public void Invalidate(string token)
    {
        if (Volatile.Read(ref _token) is { } cached && cached.Value == token)
        {
            // Only that token: a caller that already replaced it keeps the new one.
            Interlocked.CompareExchange(ref _token, null, cached);
        }
    }

    public void Dispose()
    {
        _credential?.Dispose();
        _gate.Dispose();
    }
}
