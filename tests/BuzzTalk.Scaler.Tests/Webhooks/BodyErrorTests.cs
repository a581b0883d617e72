using System.Text;
using BuzzTalk.Scaler.Tests.Notifications;
using BuzzTalk.Testing;
using Microsoft.Extensions.Logging;

namespace BuzzTalk.Scaler.Tests.Webhooks;

/// <summary>
/// A body the client breaks (bad chunking, stopping half-way and stalling) is the client's
/// error: answered 400 with the reason, logged as one line at Debug, never as an unhandled
/// exception, for the scaling webhooks and the Discord relay alike.
/// </summary>
public sealed class BodyErrorTests : IAsyncLifetime
{
    private readonly LogCapture _logs = new();
    private WebServiceHost? _scaler;

    public async Task InitializeAsync()
    {
        var configuration = DiscordRelayTests.Configuration(null);
        configuration["Logging:LogLevel:Default"] = "Debug";
        _scaler = await ScalerHost.StartAsync(configuration, b => b.Logging.AddProvider(_logs));
    }

    public async Task DisposeAsync()
    {
        if (_scaler is not null)
        {
            await _scaler.DisposeAsync();
        }
    }

    [Theory]
    [InlineData("/api/webhooks/alertmanager")]
    [InlineData("/api/webhooks/grafana")]
    [InlineData("/api/notify/discord")]
    public async Task A_badly_chunked_body_is_a_400_with_one_debug_line(string path)
    {
        var head = RawHttp.Head("POST", path, Credentials, "Transfer-Encoding: chunked") + "\r\n";

        var before = _logs.Lines.Count;

        var answer = await RawHttp.SendRawAsync(_scaler!.Address, head, Encoding.ASCII.GetBytes("5\r\n{\"a\":\r\nzz\r\n1}\r\n0\r\n\r\n"));

        Assert.Equal(400, answer.Status);
        AssertOneDebugLine(path, before);
        Assert.Contains("chunk", answer.Body, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task A_body_that_stops_and_stalls_is_a_400_with_one_debug_line()
    {
        // Kestrel's default minimum body rate (240 bytes/s after a 5 s grace) ends the read.
        var head = RawHttp.Head("POST", "/api/webhooks/alertmanager", Credentials, "Content-Length: 5000") + "\r\n";

        var before = _logs.Lines.Count;

        var answer = await RawHttp.SendRawAsync(_scaler!.Address, head, Encoding.ASCII.GetBytes("{\"version\":\"4\","));

        Assert.Equal(400, answer.Status);
        AssertOneDebugLine("/api/webhooks/alertmanager", before);
    }

    private static string Credentials => RawHttp.Authorization(DiscordRelayTests.User, DiscordRelayTests.Password);

    /// <summary>Of the lines logged since <paramref name="before"/> lines: none at Warning or above, one of the Scaler's at Debug.</summary>
    private void AssertOneDebugLine(string path, int before)
    {
        var lines = _logs.Lines.Skip(before).ToList();
        var loud = lines.Where(l => l.StartsWith("Warning", StringComparison.Ordinal) || l.StartsWith("Error", StringComparison.Ordinal)
            || l.StartsWith("Critical", StringComparison.Ordinal) || l.Contains("unhandled exception", StringComparison.OrdinalIgnoreCase)).ToList();
        Assert.True(loud.Count == 0, string.Join("\n", loud.Select(l => l.Length > 300 ? l[..300] : l)));
        var mine = Assert.Single(lines, l => l.Contains("BuzzTalk.Scaler", StringComparison.Ordinal) && l.Contains("body", StringComparison.Ordinal));
        Assert.StartsWith("Debug", mine, StringComparison.Ordinal);
        Assert.Contains(path, mine, StringComparison.Ordinal);
    }
}
