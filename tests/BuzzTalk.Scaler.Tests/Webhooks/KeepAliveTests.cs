using System.Globalization;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using BuzzTalk.Scaler.Tests.Notifications;
using BuzzTalk.Testing;

namespace BuzzTalk.Scaler.Tests.Webhooks;

/// <summary>
/// Every answer carries a Content-Length, so an HTTP/1.0 client asking for keep-alive (ab, probes,
/// simple proxies) keeps its connection: webhook answers, refusals and health alike.
/// </summary>
public sealed class KeepAliveTests
{
    private const string Resolved = """
        {"version":"4","status":"resolved","receiver":"scaler","alerts":[{"status":"resolved",
         "labels":{"alertname":"pressure","public_ip":"127.0.0.1","container_label_com_docker_swarm_service_name":"backend"}}]}
        """;

    [Fact]
    public async Task Answers_have_a_length_and_one_HTTP_1_0_connection_serves_them_all()
    {
        await using var scaler = await ScalerHost.StartAsync(DiscordRelayTests.Configuration(null));
        using var client = new TcpClient();
        await client.ConnectAsync(scaler.Address.Host, scaler.Address.Port);
        await using var stream = client.GetStream();
        var credentials = Convert.ToBase64String(Encoding.UTF8.GetBytes($"{DiscordRelayTests.User}:{DiscordRelayTests.Password}"));

        var answer = await ExchangeAsync(stream, "POST", "/api/webhooks/alertmanager", Resolved, $"Authorization: Basic {credentials}");
        Assert.Equal(200, answer.Status);
        Assert.Equal("application/json; charset=utf-8", answer.Headers["content-type"]);
        using (var json = JsonDocument.Parse(answer.Body))
        {
            Assert.Equal(1, json.RootElement.GetProperty("ignored").GetArrayLength());
        }

        var refused = await ExchangeAsync(stream, "POST", "/api/webhooks/alertmanager", Resolved, "Authorization: Basic d3Jvbmc6d3Jvbmc=");
        Assert.Equal(401, refused.Status);
        Assert.Equal("application/problem+json", refused.Headers["content-type"]);
        using (var problem = JsonDocument.Parse(refused.Body))
        {
            Assert.Equal(401, problem.RootElement.GetProperty("status").GetInt32());
            Assert.Equal("Unauthorized", problem.RootElement.GetProperty("title").GetString());
            Assert.Contains("credentials", problem.RootElement.GetProperty("detail").GetString(), StringComparison.Ordinal);
        }

        var alive = await ExchangeAsync(stream, "GET", "/alive", null);
        Assert.Equal(200, alive.Status);
        Assert.Equal("Healthy", alive.Body);
    }

    private sealed record Answer(int Status, Dictionary<string, string> Headers, string Body);

    /// <summary>One HTTP/1.0 keep-alive exchange; fails unless the answer has a length and keeps the connection.</summary>
    private static async Task<Answer> ExchangeAsync(NetworkStream stream, string method, string path, string? body, params string[] headers)
    {
        var bytes = body is null ? [] : Encoding.UTF8.GetBytes(body);
        var request = new StringBuilder($"{method} {path} HTTP/1.0\r\nHost: 127.0.0.1\r\nConnection: Keep-Alive\r\n");
        foreach (var header in headers)
        {
            request.Append(header).Append("\r\n");
        }

        if (body is not null)
        {
            request.Append(CultureInfo.InvariantCulture, $"Content-Type: application/json\r\nContent-Length: {bytes.Length}\r\n");
        }

        await stream.WriteAsync(Encoding.ASCII.GetBytes(request.Append("\r\n").ToString()).Concat(bytes).ToArray());

        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        var head = new List<byte>();
        var one = new byte[1];
        while (head.Count < 4 || !head.TakeLast(4).SequenceEqual("\r\n\r\n"u8.ToArray()))
        {
            Assert.True(await stream.ReadAsync(one, cts.Token) == 1, "the connection closed in the answer's head");
            head.Add(one[0]);
        }

        var lines = Encoding.ASCII.GetString([.. head]).Split("\r\n", StringSplitOptions.RemoveEmptyEntries);
        var status = int.Parse(lines[0].Split(' ')[1], CultureInfo.InvariantCulture);
        var fields = lines.Skip(1).Select(l => l.Split(':', 2)).ToDictionary(kv => kv[0].Trim().ToLowerInvariant(), kv => kv[1].Trim());
        Assert.True(fields.ContainsKey("content-length"), $"{method} {path}: no Content-Length in {string.Join(" | ", lines)}");
        Assert.Equal("keep-alive", fields.GetValueOrDefault("connection")?.ToLowerInvariant());
        var content = new byte[int.Parse(fields["content-length"], CultureInfo.InvariantCulture)];
        await stream.ReadExactlyAsync(content, cts.Token);
        return new Answer(status, fields, Encoding.UTF8.GetString(content));
    }
}
