using Microsoft.Extensions.Options;

namespace BuzzTalk.Scaler.Webhooks;

/// <summary>
/// The checks every inbound webhook passes before its body is read as a payload: basic
/// credentials, a JSON content type and the body-size limit. Shared by the scaling webhooks and
/// the Discord relay so they refuse the same requests the same way.
/// </summary>
public static class WebhookIntake
{
    /// <summary>The body, or the problem to answer instead (then Body is null).</summary>
    public static async Task<(byte[]? Body, IResult? Problem)> ReadAsync(HttpContext context, CancellationToken cancellationToken)
    {
        var services = context.RequestServices;
        var options = services.GetRequiredService<IOptions<WebhookOptions>>().Value;
        var authenticator = services.GetRequiredService<WebhookAuthenticator>();
        var request = context.Request;

        if (!authenticator.IsAuthorized(request.Headers.Authorization))
        {
            context.Response.Headers.WWWAuthenticate = "Basic realm=\"buzztalk-scaler\"";
            return (null, SizedResults.Problem("Missing or wrong credentials.", StatusCodes.Status401Unauthorized));
        }

        if (!request.HasJsonContentType())
        {
            return (null, SizedResults.Problem("Content-Type must be application/json.", StatusCodes.Status415UnsupportedMediaType));
        }

        var body = await ReadLimitedAsync(request, options.MaxBodyBytes, cancellationToken).ConfigureAwait(false);
        return body is null
            ? (null, SizedResults.Problem($"The body exceeds {options.MaxBodyBytes} bytes.", StatusCodes.Status413PayloadTooLarge))
            : (body, null);
    }

    /// <summary>The body, or null when it is larger than the limit (read no further than that).</summary>
    private static async Task<byte[]?> ReadLimitedAsync(HttpRequest request, int limit, CancellationToken cancellationToken)
    {
        if (request.ContentLength is { } length)
        {
            // The usual case (Grafana and Alertmanager send a length): one buffer of that size.
            if (length > limit)
            {
                return null;
            }

            var body = new byte[length];
            var filled = 0;
            int read;
            while (filled < body.Length && (read = await request.Body.ReadAsync(body.AsMemory(filled), cancellationToken).ConfigureAwait(false)) > 0)
            {
                filled += read;
            }

            return filled == body.Length ? body : throw new BadHttpRequestException("The body ended before its Content-Length.");
        }

        using var buffer = new MemoryStream();
        var chunk = new byte[16 * 1024];
        int got;
        while ((got = await request.Body.ReadAsync(chunk, cancellationToken).ConfigureAwait(false)) > 0)
        {
            if (buffer.Length + got > limit)
            {
                return null;
            }

            buffer.Write(chunk, 0, got);
        }

        return buffer.ToArray();
    }
}
