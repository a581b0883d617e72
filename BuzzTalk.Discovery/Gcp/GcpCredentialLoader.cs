using System.Text.Json;
using BuzzTalk.Discovery.Configuration;

namespace BuzzTalk.Discovery.Gcp;

/// <summary>
/// Builds the credential <see cref="GcpOptions.Credentials"/> names. Application default credentials
/// are looked up in the order Google's client libraries use: the file named by
/// <c>GOOGLE_APPLICATION_CREDENTIALS</c>, gcloud's well-known file, then the metadata server.
/// </summary>
public static class GcpCredentialLoader
{
    public const string CredentialsVariable = "GOOGLE_APPLICATION_CREDENTIALS";
    public const string MetadataHostVariable = "GCE_METADATA_HOST";

    public static async Task<GcpCredential> LoadAsync(GcpOptions gcp, CancellationToken cancellationToken)
    {
        switch (gcp.Credentials)
        {
            case GcpCredentialKind.ServiceAccountKeyFile:
                var path = gcp.KeyFile ?? throw new InvalidOperationException("Discovery:Gcp:KeyFile is not set.");
                var key = await ReadAsync(path, cancellationToken).ConfigureAwait(false);
                if (key.Type != GoogleCredentialFile.ServiceAccountType)
                {
                    throw new InvalidDataException($"{path} is not a service-account key file (needs type service_account, client_email, private_key).");
                }

                // The configured token URI wins over the file's (tests, private endpoints).
                return ServiceAccount(path, key, gcp.TokenUri);
            case GcpCredentialKind.MetadataServer:
                return new GcpMetadataServerCredential(gcp.MetadataTokenUri ?? DefaultMetadataTokenUrl());
            default:
                return await ApplicationDefaultAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>gcloud's <c>application_default_credentials.json</c> in its configuration directory.</summary>
    public static string? WellKnownFile()
    {
        var config = Environment.GetEnvironmentVariable("CLOUDSDK_CONFIG");
        if (string.IsNullOrEmpty(config))
        {
            var home = Environment.GetEnvironmentVariable("HOME");
            if (string.IsNullOrEmpty(home))
            {
                return null;
            }

            config = Path.Combine(home, ".config", "gcloud");
        }

        return Path.Combine(config, "application_default_credentials.json");
    }

    private static async Task<GcpCredential> ApplicationDefaultAsync(CancellationToken cancellationToken)
    {
        if (Environment.GetEnvironmentVariable(CredentialsVariable) is { Length: > 0 } named)
        {
            // Named but missing is an error, as in Google's libraries: no silent fallback.
            if (!File.Exists(named))
            {
                throw new FileNotFoundException($"{CredentialsVariable} names {named}, which does not exist.", named);
            }

            return FromFile(named, await ReadAsync(named, cancellationToken).ConfigureAwait(false));
        }

        if (WellKnownFile() is { } wellKnown && File.Exists(wellKnown))
        {
            return FromFile(wellKnown, await ReadAsync(wellKnown, cancellationToken).ConfigureAwait(false));
        }

        return new GcpMetadataServerCredential(DefaultMetadataTokenUrl());
    }

    private static GcpCredential FromFile(string path, GoogleCredentialFile file) => file.Type switch
    {
        GoogleCredentialFile.ServiceAccountType => ServiceAccount(path, file, tokenUriOverride: null),
        GoogleCredentialFile.AuthorizedUserType when !string.IsNullOrEmpty(file.ClientId)
            && !string.IsNullOrEmpty(file.ClientSecret) && !string.IsNullOrEmpty(file.RefreshToken) =>
            new GcpUserCredential(file.ClientId, file.ClientSecret, file.RefreshToken, TokenUri(path, file.TokenUri)),
        GoogleCredentialFile.AuthorizedUserType =>
            throw new InvalidDataException($"{path} is an authorized_user file without client_id, client_secret and refresh_token."),
        _ => throw new InvalidDataException(
            $"{path} holds credentials of type '{file.Type}'; Discovery reads service_account and authorized_user files."),
    };

    private static GcpServiceAccountCredential ServiceAccount(string path, GoogleCredentialFile key, Uri? tokenUriOverride)
    {
        if (string.IsNullOrEmpty(key.ClientEmail) || string.IsNullOrEmpty(key.PrivateKey))
        {
            throw new InvalidDataException($"{path} is not a service-account key file (needs type service_account, client_email, private_key).");
        }

        try
        {
            return new GcpServiceAccountCredential(key.ClientEmail, key.PrivateKey, key.PrivateKeyId,
                tokenUriOverride ?? TokenUri(path, key.TokenUri), GcpOptions.ComputeReadOnlyScope);
        }
        catch (ArgumentException ex)
        {
            throw new InvalidDataException($"{path}: {ex.Message}", ex);
        }
    }

    private static Uri TokenUri(string path, string? fromFile) =>
        string.IsNullOrEmpty(fromFile) ? new Uri(GcpOptions.DefaultTokenUri)
        : Uri.TryCreate(fromFile, UriKind.Absolute, out var uri) ? uri
        : throw new InvalidDataException($"{path}: token_uri is not an absolute URL.");

    private static Uri DefaultMetadataTokenUrl() =>
        GcpMetadataServerCredential.DefaultTokenUrl(Environment.GetEnvironmentVariable(MetadataHostVariable));

    private static async Task<GoogleCredentialFile> ReadAsync(string path, CancellationToken cancellationToken)
    {
        await using var stream = File.OpenRead(path);
        try
        {
            return await JsonSerializer.DeserializeAsync(stream, DiscoveryJsonContext.Default.GoogleCredentialFile, cancellationToken).ConfigureAwait(false)
                ?? throw new InvalidDataException($"{path} holds null, not a credential file.");
        }
        catch (JsonException ex)
        {
            // Never echo the file: it holds a private key or a refresh token.
            throw new InvalidDataException($"{path} is not a credential file (invalid JSON at {ex.Path}).", ex);
        }
    }
}
