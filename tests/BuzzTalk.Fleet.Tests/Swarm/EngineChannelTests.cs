using System.Text;
using BuzzTalk.Fleet.Ssh;
using BuzzTalk.Fleet.Swarm;
using BuzzTalk.Testing;

namespace BuzzTalk.Fleet.Tests.Swarm;

/// <summary>
/// The HTTP/1.1 reading of <see cref="EngineChannel"/> against canned answers printed by a real
/// remote process over real SSH: the engine answers with Content-Length or chunked bodies
/// depending on their size, and several requests share one channel.
/// </summary>
public sealed class EngineChannelTests : IAsyncLifetime
{
    private SshServer? _server;
    private SshHostSession? _session;

    public async Task InitializeAsync()
    {
        _server = await SshServer.StartAsync();
        _session = new SshHostSession("127.0.0.1", new SshHostOptions
        {
            User = _server.User,
            PrivateKeyFile = _server.ClientKeyFile,
            Port = _server.Port,
        }, KnownHosts.Parse(_server.KnownHostsLine));
    }

    public async Task DisposeAsync()
    {
        if (_session is not null)
        {
            await _session.DisposeAsync();
        }

        if (_server is not null)
        {
            await _server.DisposeAsync();
        }
    }

    /// <summary>A remote "engine" that reads one request head per answer and prints the answers in turn.</summary>
    private async Task<EngineChannel> EngineAnsweringAsync(params string[] answers)
    {
        const string Script = """
            for answer in "$@"; do
              while IFS= read -r line; do [ "$line" = "$(printf '\r')" ] && break; done
              printf '%s' "$answer"
            done
            cat >/dev/null
            """;
        return new EngineChannel(await _session!.StartAsync("sh", ["-c", Script, "engine", .. answers]));
    }

    [Fact]
    public async Task Length_and_chunked_bodies_and_bodiless_answers_are_read_in_turn_on_one_channel()
    {
        await using var engine = await EngineAnsweringAsync(
            "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 11\r\n\r\n{\"ID\":\"x\"}\n",
            "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n4\r\n[{\"a\r\n3;ext=1\r\n\":1\r\nA\r\n},{\"b\":2}]\r\n0\r\nX-Trailer: t\r\n\r\n",
            "HTTP/1.1 204 No Content\r\n\r\n",
            "HTTP/1.1 404 Not Found\r\nContent-Length: 29\r\n\r\n{\"message\":\"no such service\"}");

        var first = await engine.SendAsync("GET", "/services/x", default, CancellationToken.None);
        var second = await engine.SendAsync("GET", "/services", default, CancellationToken.None);
        var third = await engine.SendAsync("POST", "/services/x/update?version=1", "{}"u8.ToArray(), CancellationToken.None);
        var fourth = await engine.SendAsync("GET", "/services/y", default, CancellationToken.None);

        Assert.Equal((200, "{\"ID\":\"x\"}\n"), (first.Status, Encoding.UTF8.GetString(first.Body)));
        Assert.Equal((200, "[{\"a\":1},{\"b\":2}]"), (second.Status, Encoding.UTF8.GetString(second.Body)));
        Assert.Equal((204, 0), (third.Status, third.Body.Length));
        Assert.False(fourth.Succeeded);
        Assert.Equal("no such service", fourth.Message);
        Assert.True(engine.IsUsable);
    }

    [Fact]
    public async Task An_answer_without_a_length_or_a_channel_that_ends_leaves_the_channel_unusable()
    {
        await using var noLength = await EngineAnsweringAsync("HTTP/1.1 200 OK\r\n\r\nbody until the end");
        await Assert.ThrowsAsync<IOException>(() => noLength.SendAsync("GET", "/info", default, CancellationToken.None));
        Assert.False(noLength.IsUsable);

        await using var cut = new EngineChannel(await _session!.StartAsync("sh", ["-c", "read line; printf 'HTTP/1.1 200 OK\\r\\nContent-Length: 100\\r\\n\\r\\nshort'"]));
        await Assert.ThrowsAsync<IOException>(() => cut.SendAsync("GET", "/info", default, CancellationToken.None));
        Assert.False(cut.IsUsable);
    }
}
