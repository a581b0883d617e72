namespace BuzzTalk.Discovery.Gcp;

/// <summary>
/// gcloud's application-default user credentials (<c>type: authorized_user</c>): the refresh-token
/// grant. Scopes are those the user consented to; the request carries none.
/// </summary>
public sealed class GcpUserCredential(string clientId, string clientSecret, string refreshToken, Uri tokenUri) : GcpCredential
{
    public override string Description => $"user credentials of OAuth client {clientId}";

    public override Task<TokenResponse> RequestTokenAsync(GoogleTokenClient client, DateTimeOffset now, CancellationToken cancellationToken) =>
        client.RefreshTokenAsync(tokenUri, clientId, clientSecret, refreshToken, cancellationToken);
}
