using BuzzTalk.Discovery.Providers;

namespace BuzzTalk.Discovery.Outputs;

/// <summary>
/// An http_sd answer streamed from the inventory with its Content-Length (as <c>SizedResults</c> answers, so
/// HTTP/1.0 keep-alive clients keep their connection): one pass counts the bytes, a second writes them. The
/// body is never held whole, whatever the number of instances.
/// </summary>
public sealed class TargetGroupsResult(IReadOnlyList<DiscoveredInstance> instances, int? port) : IResult
{
    public const string ContentType = "application/json; charset=utf-8";

    public async Task ExecuteAsync(HttpContext httpContext)
    {
        var response = httpContext.Response;
        var cancellationToken = httpContext.RequestAborted;
        await using (var counter = new CountingStream())
        {
            await TargetGroupJsonWriter.WriteAsync(counter, instances, port, cancellationToken).ConfigureAwait(false);
            response.ContentLength = counter.Count;
        }

        response.StatusCode = StatusCodes.Status200OK;
        response.ContentType = ContentType;
        await TargetGroupJsonWriter.WriteAsync(response.Body, instances, port, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Counts what is written, for the Content-Length.</summary>
    private sealed class CountingStream : WriteOnlySink
    {
        public long Count { get; private set; }

        protected override void Append(ReadOnlySpan<byte> buffer) => Count += buffer.Length;
    }
}
