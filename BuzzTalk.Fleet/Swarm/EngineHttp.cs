using System.Net;
using System.Net.Http.Headers;
using System.Runtime.CompilerServices;
using BuzzTalk.Fleet.Ssh;

namespace BuzzTalk.Fleet.Swarm;

/// <summary>
/// HTTP/1.1 to one host's Docker Engine API with .NET's own client, over connections that are
/// <c>docker system dial-stdio</c> processes on the host (the docker CLI's own way of reaching a
/// remote engine over SSH), as <c>ContainerEngineProbe</c> does over the local unix socket.
/// Answers are read whole and bounded; the engine's refusals come back as an
/// <see cref="EngineResponse"/> with its message, a connection that fails or an answer that is not
/// HTTP as an <see cref="IOException"/> naming the host and the request.
/// </summary>
public sealed class EngineHttp : IDisposable
{
    /// <summary>Larger than any answer the Scaler asks for (a service list of a few hundred services).</summary>
    public const int MaxResponseBytes = 16 * 1024 * 1024;

    private static readonly MediaTypeHeaderValue s_json = new("application/json");
    private readonly HttpClient _client;

    /// <param name="host">The host, for messages.</param>
    /// <param name="connect">Opens one connection (a stream to a new dial-stdio process).</param>
    /// <param name="connections">At most this many connections at once; requests beyond wait for one.</param>
    /// <param name="idleTimeout">An idle connection is closed (its process ended) after this long.</param>
    public EngineHttp(string host, Func<CancellationToken, ValueTask<Stream>> connect, int connections, TimeSpan idleTimeout)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(connections, 1);
        Host = host;
        var handler = new SocketsHttpHandler
        {
            ConnectCallback = (_, cancellationToken) => connect(cancellationToken),
            MaxConnectionsPerServer = connections,
            PooledConnectionIdleTimeout = idleTimeout,
            PooledConnectionLifetime = Timeout.InfiniteTimeSpan,
            // Never an HTTP_PROXY from the environment, a redirect or a cookie: it is the engine.
            UseProxy = false,
            AllowAutoRedirect = false,
            UseCookies = false,
            AutomaticDecompression = DecompressionMethods.None,
            MaxResponseHeadersLength = 64,
        };
        _client = new HttpClient(handler)
        {
            BaseAddress = new Uri("http://docker"),
            // The callers' own timeouts apply (they cancel).
            Timeout = Timeout.InfiniteTimeSpan,
            MaxResponseContentBufferSize = MaxResponseBytes,
            DefaultRequestVersion = HttpVersion.Version11,
            DefaultVersionPolicy = HttpVersionPolicy.RequestVersionExact,
        };
        _client.DefaultRequestHeaders.UserAgent.Add(new ProductInfoHeaderValue("BuzzTalk.Fleet", null));
    }

    public string Host { get; }

    /// <summary>
    /// One connection over <paramref name="process"/>, already started, and never another: should
    /// the client want a second connection (the first one broke or was closed), the request fails
    /// instead of reaching the engine by some process the caller did not start (and fence).
    /// </summary>
    public static EngineHttp OverProcess(RemoteProcess process)
    {
        ArgumentNullException.ThrowIfNull(process);
        var unclaimed = new StrongBox<RemoteProcess?>(process);
        return new EngineHttp(process.Host, _ =>
            Interlocked.Exchange(ref unclaimed.Value, null) is { } first
                ? ValueTask.FromResult<Stream>(new RemoteProcessStream(first))
                : ValueTask.FromException<Stream>(new IOException(
                    $"The engine connection over {process.Program} on {process.Host} was closed; it is not opened again on its own.")),
            connections: 1, idleTimeout: Timeout.InfiniteTimeSpan);
    }

    /// <summary>Sends one request (with a JSON body when given) and reads its whole answer, whatever its status.</summary>
    public async Task<EngineResponse> SendAsync(HttpMethod method, string pathAndQuery, byte[]? json, CancellationToken cancellationToken)
    {
        try
        {
            using var request = new HttpRequestMessage(method, new Uri(pathAndQuery, UriKind.Relative));
            if (json is not null)
            {
                request.Content = new ByteArrayContent(json) { Headers = { ContentType = s_json } };
            }

            using var response = await _client.SendAsync(request, HttpCompletionOption.ResponseContentRead, cancellationToken).ConfigureAwait(false);
            return new EngineResponse((int)response.StatusCode, await response.Content.ReadAsByteArrayAsync(cancellationToken).ConfigureAwait(false));
        }
        catch (Exception ex) when (ex is HttpRequestException or IOException)
        {
            throw new IOException($"{method} {pathAndQuery} to the docker engine on {Host} failed: {Describe(ex)}", ex);
        }
    }

    /// <summary>Sends a body-less request; throws <see cref="EngineApiException"/> unless the engine answers 2xx.</summary>
    public async Task<EngineResponse> RequireAsync(HttpMethod method, string pathAndQuery, CancellationToken cancellationToken)
    {
        var answer = await SendAsync(method, pathAndQuery, null, cancellationToken).ConfigureAwait(false);
        return answer.Succeeded ? answer : throw new EngineApiException(Host, $"{method} {pathAndQuery}", answer);
    }

    /// <summary>Closes every connection (ending their processes).</summary>
    public void Dispose() => _client.Dispose();

    /// <summary>The message and whatever its inner exceptions add ("An error occurred while sending the request" says little).</summary>
    private static string Describe(Exception exception)
    {
        var text = exception.Message;
        for (var inner = exception.InnerException; inner is not null; inner = inner.InnerException)
        {
            if (!text.Contains(inner.Message, StringComparison.Ordinal))
            {
                text += ": " + inner.Message;
            }
        }

        return text;
    }
}
