using System.Text.Json.Serialization.Metadata;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.WebUtilities;

namespace BuzzTalk.ServiceDefaults.Http;

/// <summary>
/// Answers written whole with a Content-Length, unlike <c>Results.Json</c> and <c>Results.Problem</c>,
/// which stream without one: an HTTP/1.0 client (ab, some probes and proxies) then cannot keep the
/// connection alive, and pays a new TCP connection for every request. The services' answers are small.
/// </summary>
public static class SizedResults
{
    public static IResult Json<T>(T value, JsonTypeInfo<T> type, int statusCode = StatusCodes.Status200OK) =>
        new SizedJsonResult<T>(value, type, statusCode, "application/json; charset=utf-8");

    /// <summary>An RFC 9457 problem: type <c>about:blank</c>, the status' reason phrase as title, and the detail.</summary>
    public static IResult Problem(string detail, int statusCode) =>
        new SizedJsonResult<ProblemBody>(
            new ProblemBody("about:blank", ReasonPhrases.GetReasonPhrase(statusCode), statusCode, detail),
            ProblemJsonContext.Default.ProblemBody, statusCode, "application/problem+json");

    /// <summary>Writes a whole body with its type and length: the one place the services do so.</summary>
    public static Task WriteAsync(HttpContext context, byte[] body, string contentType, int? statusCode = null)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(body);
        var response = context.Response;
        if (statusCode is { } status)
        {
            response.StatusCode = status;
        }

        response.ContentType = contentType;
        response.ContentLength = body.Length;
        return response.Body.WriteAsync(body, context.RequestAborted).AsTask();
    }
}
