using System.Text.Json.Nodes;
using System.Threading.Channels;
using BuzzTalk.Testing;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace BuzzTalk.Scaler.Tests.Notifications;

/// <summary>
/// A stand-in for Discord's webhook endpoint on real Kestrel on loopback: records every request
/// body and answers as the test says (204 by default).
/// </summary>
public sealed class FakeDiscord : IAsyncDisposable
{
    /// <summary>The secret part of the URL; it must never show up in an answer or a log.</summary>
    public const string Token = "fake-token-Zq8xW3vN5s";

    private readonly Channel<JsonNode> _received = Channel.CreateUnbounded<JsonNode>();
    private WebServiceHost? _host;
    private int _count;

    /// <summary>Answers request number n (1-based); null answers 204.</summary>
    public Func<int, HttpContext, Task>? Respond { get; set; }

    /// <summary>Requests received so far.</summary>
    public int Count => Volatile.Read(ref _count);

    public string WebhookUrl => new Uri(_host!.Address, $"api/webhooks/1234567890/{Token}").ToString();

    public static async Task<FakeDiscord> StartAsync()
    {
        var fake = new FakeDiscord();
        fake._host = await WebServiceHost.StartAsync(new Dictionary<string, string?>(), _ => { }, app => app.Run(fake.HandleAsync));
        return fake;
    }

    /// <summary>The next request body received, waiting for it at most <paramref name="timeout"/> (10 s).</summary>
    public async Task<JsonNode> NextAsync(TimeSpan? timeout = null)
    {
        using var cts = new CancellationTokenSource(timeout ?? TimeSpan.FromSeconds(10));
        return await _received.Reader.ReadAsync(cts.Token);
    }

    public async ValueTask DisposeAsync()
    {
        if (_host is not null)
        {
            await _host.DisposeAsync();
        }
    }

    private async Task HandleAsync(HttpContext context)
    {
        var n = Interlocked.Increment(ref _count);
        if (context.Request.Method != "POST" || context.Request.Path != $"/api/webhooks/1234567890/{Token}"
            || context.Request.ContentType?.StartsWith("application/json", StringComparison.Ordinal) != true)
        {
            context.Response.StatusCode = StatusCodes.Status400BadRequest;
            return;
        }

        using var reader = new StreamReader(context.Request.Body);
        _received.Writer.TryWrite(JsonNode.Parse(await reader.ReadToEndAsync())!);
        if (Respond is { } respond)
        {
            await respond(n, context);
        }
        else
        {
            context.Response.StatusCode = StatusCodes.Status204NoContent;
        }
    }
}
