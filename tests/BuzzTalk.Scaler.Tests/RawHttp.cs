using System.Globalization;
using System.Net.Sockets;
using System.Text;

namespace BuzzTalk.Scaler.Tests;

/// <summary>
/// HTTP/1.1 written byte for byte on a TCP connection, for what HttpClient will not send: a
/// lower-case method, a broken chunked body, a body that stops half-way.
/// </summary>
public static class RawHttp
{
    public sealed record Answer(int Status, string Head, string Body);

    /// <summary>Basic credentials as a header line.</summary>
    public static string Authorization(string user, string password) =>
        "Authorization: Basic " + Convert.ToBase64String(Encoding.UTF8.GetBytes($"{user}:{password}"));

    /// <summary>A request with a Content-Length body, then the whole answer (the connection is closed by the request).</summary>
    public static Task<Answer> SendAsync(Uri server, string method, string path, byte[] body, params string[] headers) =>
        SendRawAsync(server, Head(method, path, headers) + string.Create(CultureInfo.InvariantCulture, $"Content-Length: {body.Length}\r\n\r\n"), body);

    /// <summary>The head (request line and header lines, without the blank line) and then these bytes as they are.</summary>
    public static string Head(string method, string path, params string[] headers)
    {
        var head = new StringBuilder($"{method} {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\nContent-Type: application/json\r\n");
        foreach (var header in headers)
        {
            head.Append(header).Append("\r\n");
        }

        return head.ToString();
    }

    public static async Task<Answer> SendRawAsync(Uri server, string head, byte[] rest, TimeSpan? stallAfter = null)
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        using var client = new TcpClient();
        await client.ConnectAsync(server.Host, server.Port, cts.Token);
        await using var stream = client.GetStream();
        await stream.WriteAsync(Encoding.ASCII.GetBytes(head).Concat(rest).ToArray(), cts.Token);
        using var answer = new MemoryStream();
        await stream.CopyToAsync(answer, cts.Token);
        var text = Encoding.UTF8.GetString(answer.ToArray());
        var split = text.IndexOf("\r\n\r\n", StringComparison.Ordinal);
        Assert.True(split > 0, $"no answer head in '{text}'");
        var status = int.Parse(text.Split(' ', 3)[1], CultureInfo.InvariantCulture);
        return new Answer(status, text[..split], text[(split + 4)..]);
    }
}
