using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Microsoft.AspNetCore.Http;

namespace BuzzTalk.ServiceDefaults.Http;

/// <summary>A JSON answer serialized first, then written with its Content-Length (see <see cref="SizedResults"/>).</summary>
public sealed class SizedJsonResult<T>(T value, JsonTypeInfo<T> type, int statusCode, string contentType)
    : IResult, IStatusCodeHttpResult, IValueHttpResult<T>, IContentTypeHttpResult
{
    public int? StatusCode => statusCode;

    public T? Value => value;

    public string ContentType => contentType;

    public Task ExecuteAsync(HttpContext httpContext) =>
        SizedResults.WriteAsync(httpContext, JsonSerializer.SerializeToUtf8Bytes(value, type), contentType, statusCode);
}
