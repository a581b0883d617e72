namespace BuzzTalk.Discovery.Gcp;

/// <summary>
/// The default service account of the GCE instance Discovery runs on, through the metadata server
/// (<c>shared/reference/gcp/metadata-server-token.http</c>). No <c>scopes</c> parameter: the token
/// has the instance's scopes.
/// </summary>
public sealed class GcpMetadataServerCredential(Uri tokenUrl) : GcpCredential
{
    private const string TokenPath = "computeMetadata/v1/instance/service-accounts/default/token";

    public override string Description => $"the metadata server's default service account ({tokenUrl.GetLeftPart(UriPartial.Authority)})";

    /// <summary>
    /// <c>http://169.254.169.254/…/token</c>, or on the host <c>GCE_METADATA_HOST</c> names (the
    /// variable Google's client libraries honour).
    /// </summary>
    public static Uri DefaultTokenUrl(string? metadataHost) =>
        new($"http://{(string.IsNullOrWhiteSpace(metadataHost) ? "169.254.169.254" : metadataHost.Trim())}/{TokenPath}");

    public override Task<TokenResponse> RequestTokenAsync(GoogleTokenClient client, DateTimeOffset now, CancellationToken cancellationToken) =>
        client.MetadataServerAsync(tokenUrl, cancellationToken);
}
