using System.Globalization;
using System.Net.WebSockets;
using BuzzTalk.Testing;

namespace BuzzTalk.AppHost.Tests.Samples;

/// <summary>The sample backend under daphne, as a replica being replaced or an instance leaving: SIGTERM closes its websockets with 1001.</summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class GoingAwayTests
{
    private static readonly string BackendDirectory =
        Path.GetFullPath(Path.Combine(AppContext.BaseDirectory, "..", "..", "..", "..", "..", "samples", "chat-backend"));

    [Fact]
    public async Task On_sigterm_every_open_websocket_is_closed_with_1001_going_away()
    {
        await using var redis = new RedisServer();
        await redis.StartAsync();
        var port = ServerProcess.FreePort();
        await using var daphne = ServerProcess.Start("/usr/bin/python3", BackendDirectory, port, new Dictionary<string, string>
        {
            ["DB_ENGINE"] = "django.db.backends.sqlite3",
            ["REDIS_URL"] = $"redis://{redis.Address}/0",
            ["PYTHONDONTWRITEBYTECODE"] = "1",
        }, "-m", "daphne", "-b", "127.0.0.1", "-p", port.ToString(CultureInfo.InvariantCulture), "buzzchat.asgi:application");
        await daphne.WaitForPortAsync(TimeSpan.FromSeconds(60));

        var sockets = new List<ClientWebSocket>();
        for (var i = 0; i < 3; i++)
        {
            var socket = new ClientWebSocket();
            using var connect = new CancellationTokenSource(TimeSpan.FromSeconds(20));
            await socket.ConnectAsync(new Uri($"ws://127.0.0.1:{port}/ws/chat/room{i % 2}/"), connect.Token);
            sockets.Add(socket);
        }

        await ToolRun.RunCheckedAsync("kill", BackendDirectory, "-TERM", daphne.ProcessId.ToString(CultureInfo.InvariantCulture));

        foreach (var socket in sockets)
        {
            using var receive = new CancellationTokenSource(TimeSpan.FromSeconds(20));
            var buffer = new byte[4096];
            WebSocketReceiveResult result;
            do
            {
                result = await socket.ReceiveAsync(buffer, receive.Token);
            }
            while (result.MessageType != WebSocketMessageType.Close);

            Assert.Equal(WebSocketCloseStatus.EndpointUnavailable, result.CloseStatus); // 1001, going away
            socket.Dispose();
        }

        Assert.Equal(0, await daphne.WaitForExitAsync(TimeSpan.FromSeconds(30)));
    }
}
