using System.Net.WebSockets;
using System.Text;
using System.Text.Json;

namespace BuzzTalk.AppHost.Tests;

/// <summary>A websocket subscriber of one chat room, as the frontend page connects.</summary>
public sealed class ChatClient : IAsyncDisposable
{
    private readonly ClientWebSocket _socket = new();

    public static async Task<ChatClient> ConnectAsync(Uri httpBase, string room, CancellationToken cancellationToken)
    {
        var client = new ChatClient();
        var ws = new UriBuilder(httpBase) { Scheme = "ws", Path = $"/ws/chat/{room}/" }.Uri;
        await client._socket.ConnectAsync(ws, cancellationToken);
        return client;
    }

    public Task SendAsync(string author, string text, CancellationToken cancellationToken) =>
        _socket.SendAsync(JsonSerializer.SerializeToUtf8Bytes(new { author, text }), WebSocketMessageType.Text, true, cancellationToken);

    /// <summary>Reads frames until one carries a message with the given text.</summary>
    public async Task<JsonElement> ReceiveMessageAsync(string text, CancellationToken cancellationToken)
    {
        var buffer = new byte[64 * 1024];
        while (true)
        {
            using var frame = new MemoryStream();
            WebSocketReceiveResult result;
            do
            {
                result = await _socket.ReceiveAsync(buffer, cancellationToken);
                if (result.MessageType == WebSocketMessageType.Close)
                {
                    throw new InvalidOperationException($"The server closed the websocket: {result.CloseStatus} {result.CloseStatusDescription}");
                }

                frame.Write(buffer, 0, result.Count);
            }
            while (!result.EndOfMessage);

            using var json = JsonDocument.Parse(Encoding.UTF8.GetString(frame.ToArray()));
            var root = json.RootElement;
            if (root.GetProperty("type").GetString() == "message"
                && root.GetProperty("message").GetProperty("text").GetString() == text)
            {
                return root.GetProperty("message").Clone();
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_socket.State == WebSocketState.Open)
        {
            using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(5));
            try
            {
                await _socket.CloseAsync(WebSocketCloseStatus.NormalClosure, "done", cts.Token);
            }
            catch (Exception ex) when (ex is WebSocketException or OperationCanceledException)
            {
                // The server went first; nothing left to close.
            }
        }

        _socket.Dispose();
    }
}
