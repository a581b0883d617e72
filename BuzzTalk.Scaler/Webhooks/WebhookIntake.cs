using BuzzTalk.ServiceDefaults.Http;
using Microsoft.Extensions.Options;

namespace BuzzTalk.Scaler.Webhooks;

/// <summary>
/// The checks every inbound webhook passes before its body is read as a payload: basic
/// credentials, a JSON content type and the body-size limit. Shared by the scaling webhooks and
/// the Discord relay so they refuse the same requests the same way.
/// </summary>
public static class WebhookIntake
{
    /// <summary>The body (the caller disposes it), or the problem to answer instead (then Body is null).</summary>
    public static async Task<(RequestBody? Body, IResult? Problem)> ReadAsync(HttpContext context, CancellationToken cancellationToken)
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

        RequestBody? body;
        try
        {
            body = await RequestBody.ReadAsync(request.Body, request.ContentLength, options.MaxBodyBytes, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is BadHttpRequestException or IOException
                                   || (ex is OperationCanceledException && context.RequestAborted.IsCancellationRequested))
        {
            // Bad chunking, a body stalled under Kestrel's minimum rate, one shorter than its length,
            // or the client gone: the client's error, not an unhandled exception of ours.
            var reason = ex is OperationCanceledException ? "the client closed the connection" : ex.Message;
            ScalerLog.BodyUnreadable(services.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(WebhookIntake).FullName!),
                request.Path.Value ?? "", reason);
            return (null, SizedResults.Problem($"The request body could not be read: {reason}", StatusCodes.Status400BadRequest));
        }

        return body is null
            ? (null, SizedResults.Problem($"The body exceeds {options.MaxBodyBytes} bytes.", StatusCodes.Status413PayloadTooLarge))
            : (body, null);
    }
}
