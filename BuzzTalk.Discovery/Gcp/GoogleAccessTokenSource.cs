using System.Text.Json;
using BuzzTalk.Discovery.Configuration;
using Google.Apis.Auth.OAuth2;
using Microsoft.Extensions.Options;

namespace BuzzTalk.Discovery.Gcp;

/// <summary>
/// Tokens from Google.Apis.Auth: a service-account key (JWT bearer grant), the GCE metadata
/// server, or application default credentials. The library caches each token until shortly
/// before it expires.
/// </summary>
public sealed class GoogleAccessTokenSource(IOptions<DiscoveryOptions> options) : IAccessTokenSource, IDisposable
{
    private readonly SemaphoreSlim _gate = new(1, 1);
    private ITokenAccess? _credential;

    public async Task<string> GetTokenAsync(CancellationToken cancellationToken)
    {
        var credential = await CredentialAsync(cancellationToken).ConfigureAwait(false);
        return await credential.GetAccessTokenForRequestAsync(options.Value.Gcp.ApiBaseUrl.ToString(), cancellationToken).ConfigureAwait(false);
    }

    public void Dispose() => _gate.Dispose();

    private async Task<ITokenAccess> CredentialAsync(CancellationToken cancellationToken)
    {
        if (_credential is { } existing)
        {
            return existing;
        }

        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            return _credential ??= await CreateAsync(options.Value.Gcp, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _gate.Release();
        }
    }

    private static async Task<ITokenAccess> CreateAsync(GcpOptions gcp, CancellationToken cancellationToken)
    {
        switch (gcp.Credentials)
        {
            case GcpCredentialKind.ServiceAccountKeyFile:
                return await FromKeyFileAsync(gcp, cancellationToken).ConfigureAwait(false);
            case GcpCredentialKind.MetadataServer:
                var initializer = gcp.MetadataTokenUri is { } tokenUri
                    ? new ComputeCredential.Initializer(tokenUri.ToString())
                    : new ComputeCredential.Initializer();
                return new ComputeCredential(initializer);
            default:
                var adc = await GoogleCredential.GetApplicationDefaultAsync(cancellationToken).ConfigureAwait(false);
                return adc.CreateScoped(GcpOptions.ComputeReadOnlyScope);
        }
    }

    /// <summary>
    /// Reads the key file's fields ourselves so the token URI can be overridden (tests, private
    /// endpoints); signing and the exchange are Google.Apis.Auth's.
    /// </summary>
    private static async Task<ITokenAccess> FromKeyFileAsync(GcpOptions gcp, CancellationToken cancellationToken)
    {
        var path = gcp.KeyFile ?? throw new InvalidOperationException("Discovery:Gcp:KeyFile is not set.");
        ServiceAccountKey key;
        await using (var stream = File.OpenRead(path))
        {
            try
            {
                key = await JsonSerializer.DeserializeAsync(stream, DiscoveryJsonContext.Default.ServiceAccountKey, cancellationToken).ConfigureAwait(false)
                    ?? throw new InvalidDataException("the file holds null");
            }
            catch (JsonException ex)
            {
                // Never echo the file: it holds a private key.
                throw new InvalidDataException($"{path} is not a service-account key file (invalid JSON at {ex.Path}).", ex);
            }
        }

        if (key.Type != "service_account" || string.IsNullOrEmpty(key.ClientEmail) || string.IsNullOrEmpty(key.PrivateKey))
        {
            throw new InvalidDataException($"{path} is not a service-account key file (needs type service_account, client_email, private_key).");
        }

        var tokenUri = gcp.TokenUri?.ToString() ?? key.TokenUri ?? GoogleAuthConsts.OidcTokenUrl;
        var initializer = new ServiceAccountCredential.Initializer(key.ClientEmail, tokenUri)
        {
            KeyId = key.PrivateKeyId,
            ProjectId = key.ProjectId,
            Scopes = [GcpOptions.ComputeReadOnlyScope],
        }.FromPrivateKey(key.PrivateKey);
        return new ServiceAccountCredential(initializer);
    }
}
