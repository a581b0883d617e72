using System.Text;
using System.Text.Json;

namespace BuzzTalk.Discovery.Gcp;

/// <summary>
/// The three token requests Discovery makes, in the formats of <c>shared/reference/gcp/</c>: the
/// JWT-bearer grant and the refresh-token grant (form POST to the token endpoint), and the GCE
/// metadata server's token (GET with <c>Metadata-Flavor: Google</c>). Both answer RFC 6749 JSON.
/// </summary>
public sealed class GoogleTokenClient(IHttpClientFactory clients)
{
    /// <summary>The named HttpClient, with the Compute calls' retries and per-attempt timeout.</summary>
    public const string HttpClientName = "gcp-token";

    public const string JwtBearerGrantType = "urn:ietf:params:oauth:grant-type:jwt-bearer";

    /// <summary>An RFC 6749 error body is a few hundred bytes; anything longer is not one.</summary>
    private const int MaxErrorBodyChars = 200;

    public Task<TokenResponse> JwtBearerAsync(Uri tokenUri, string assertion, CancellationToken cancellationToken) =>
        PostFormAsync(tokenUri, [new("grant_type", JwtBearerGrantType), new("assertion", assertion)], cancellationToken);

    public Task<TokenResponse> RefreshTokenAsync(Uri tokenUri, string clientId, string clientSecret, string refreshToken, CancellationToken cancellationToken) =>
        PostFormAsync(tokenUri,
            [new("grant_type", "refresh_token"), new("client_id", clientId), new("client_secret", clientSecret), new("refresh_token", refreshToken)],
            cancellationToken);

    public async Task<TokenResponse> MetadataServerAsync(Uri tokenUrl, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, tokenUrl);
        // The metadata server refuses requests without it (a guard against SSRF through proxies).
        request.Headers.Add("Metadata-Flavor", "Google");
        return await SendAsync(request, "the metadata server", cancellationToken).ConfigureAwait(false);
    }

    private async Task<TokenResponse> PostFormAsync(Uri tokenUri, KeyValuePair<string, string>[] form, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, tokenUri) { Content = new FormUrlEncodedContent(form) };
        return await SendAsync(request, "the token endpoint", cancellationToken).ConfigureAwait(false);
    }

    private async Task<TokenResponse> SendAsync(HttpRequestMessage request, string endpoint, CancellationToken cancellationToken)
    {
        var http = clients.CreateClient(HttpClientName);
        using var response = await http.SendAsync(request, cancellationToken).ConfigureAwait(false);
        var body = await response.Content.ReadAsByteArrayAsync(cancellationToken).ConfigureAwait(false);
        var where = $"{endpoint} ({request.RequestUri?.GetLeftPart(UriPartial.Path)})";
        if (!response.IsSuccessStatusCode)
        {
            var error = ReadError(body);
            var detail = error?.Error is { Length: > 0 } code
                ? $"{code}: {error.ErrorDescription}"
                : FirstLine(body);
            throw new GoogleTokenException(response.StatusCode, error?.Error,
                $"Token request to {where} answered {(int)response.StatusCode} {detail}");
        }

        TokenResponse? token;
        try
        {
            token = JsonSerializer.Deserialize(body, DiscoveryJsonContext.Default.TokenResponse);
        }
        catch (JsonException)
        {
            // Never echo the body: it may hold a token.
            throw new GoogleTokenException(response.StatusCode, null, $"Token request to {where} answered {(int)response.StatusCode} with a body that is not a token response.");
        }

        if (string.IsNullOrEmpty(token?.AccessToken))
        {
            throw new GoogleTokenException(response.StatusCode, null, $"Token request to {where} answered {(int)response.StatusCode} without an access_token.");
        }

        return token;
    }

    private static TokenErrorResponse? ReadError(byte[] body)
    {
        try
        {
            return JsonSerializer.Deserialize(body, DiscoveryJsonContext.Default.TokenErrorResponse);
        }
        catch (JsonException)
        {
            // The metadata server and proxies answer plain text.
            return null;
        }
    }

    private static string FirstLine(byte[] body)
    {
        var text = Encoding.UTF8.GetString(body, 0, Math.Min(body.Length, MaxErrorBodyChars * 4)).Trim();
        var end = text.IndexOfAny(['\r', '\n']);
        text = end < 0 ? text : text[..end];
        return text.Length > MaxErrorBodyChars ? text[..MaxErrorBodyChars] + "…" : text;
    }
}
