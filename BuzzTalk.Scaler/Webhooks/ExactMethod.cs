using BuzzTalk.ServiceDefaults.Http;

namespace BuzzTalk.Scaler.Webhooks;

/// <summary>
/// Methods are case-sensitive (RFC 9110, 9.1), but ASP.NET Core's routing matches them ignoring
/// case, so <c>post</c> or <c>PoSt</c> would reach a POST endpoint. This filter answers 405 to
/// anything but the endpoint's methods as spelt.
/// </summary>
public static class ExactMethod
{
    public static TBuilder RequireExactMethod<TBuilder>(this TBuilder builder)
        where TBuilder : IEndpointConventionBuilder =>
        builder.AddEndpointFilter(static (context, next) =>
        {
            var http = context.HttpContext;
            var allowed = http.GetEndpoint()?.Metadata.GetMetadata<IHttpMethodMetadata>()?.HttpMethods;
            if (allowed is null || allowed.Contains(http.Request.Method, StringComparer.Ordinal))
            {
                return next(context);
            }

            http.Response.Headers.Allow = string.Join(", ", allowed);
            return ValueTask.FromResult<object?>(SizedResults.Problem(
                $"Method '{Printable(http.Request.Method)}' is not allowed: methods are case-sensitive; use {string.Join(" or ", allowed)}.",
                StatusCodes.Status405MethodNotAllowed));
        });

    // A method is a token, but only its first characters are worth echoing.
    private static string Printable(string method) => method.Length > 16 ? method[..16] + "..." : method;
}
