using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using BuzzTalk.Scaler.Tests.Webhooks;
using BuzzTalk.Testing;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace BuzzTalk.Scaler.Tests.Notifications;

/// <summary><c>POST /api/notify/discord</c> on real Kestrel, forwarding to a fake Discord on loopback.</summary>
public sealed class DiscordRelayTests : IAsyncLifetime
{
    internal const string User = "alertmanager";
    internal const string Password = "relay-test-password";
    private readonly LogCapture _logs = new();
    private FakeDiscord? _discord;
    private WebServiceHost? _scaler;

    private FakeDiscord Discord => _discord!;

    public async Task InitializeAsync()
    {
        _discord = await FakeDiscord.StartAsync();
        _scaler = await ScalerHost.StartAsync(Configuration(Discord.WebhookUrl), builder =>
        {
            // Everything, down to the HTTP client's own trace lines, to prove none has the URL.
            builder.Logging.SetMinimumLevel(LogLevel.Trace);
            builder.Logging.AddProvider(_logs);
        });
    }

    public async Task DisposeAsync()
    {
        if (_scaler is not null)
        {
            await _scaler.DisposeAsync();
        }

        if (_discord is not null)
        {
            await _discord.DisposeAsync();
        }
    }

    internal static Dictionary<string, string?> Configuration(string? discordUrl) => new()
    {
        ["Scaler:Webhooks:Username"] = User,
        ["Scaler:Webhooks:Password"] = Password,
        ["Scaler:Evaluator:Enabled"] = "false",
        ["Scaler:Discord:WebhookUrl"] = discordUrl,
        ["Scaler:Discord:MaxRetryAfter"] = "00:00:02",
    };

    internal static async Task<HttpResponseMessage> PostAsync(HttpClient http, byte[] body, string password = Password)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/notify/discord") { Content = new ByteArrayContent(body) };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        request.Headers.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{User}:{password}")));
        return await http.SendAsync(request);
    }

    private Task<HttpResponseMessage> PostAsync(byte[] body, string password = Password) => PostAsync(_scaler!.Http, body, password);

    [Fact]
    public async Task The_reference_Alertmanager_payload_is_forwarded_with_its_alerts()
    {
        using var response = await PostAsync(Payloads.AlertmanagerWire);

        Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
        var message = await Discord.NextAsync();
        var content = message["content"]!.GetValue<string>();
        Assert.Contains("HighRequestLatency", content, StringComparison.Ordinal);
        Assert.Contains("FIRING", content, StringComparison.Ordinal);
        Assert.Contains("p99 latency on api-1:8080 is 0.82s", content, StringComparison.Ordinal);
        var embeds = message["embeds"]!.AsArray();
        Assert.Equal(2, embeds.Count);
        Assert.Equal("[FIRING] HighRequestLatency", embeds[0]!["title"]!.GetValue<string>());
        Assert.Equal("[RESOLVED] HighRequestLatency", embeds[1]!["title"]!.GetValue<string>());
        Assert.Contains("instance = api-1:8080", embeds[0]!["description"]!.GetValue<string>(), StringComparison.Ordinal);
        // Nothing from an alert may ping anyone.
        Assert.Empty(message["allowed_mentions"]!["parse"]!.AsArray());
        Assert.Equal(1, Discord.Count);
    }

    [Fact]
    public async Task The_Scalers_host_and_service_labels_are_shown()
    {
        using var response = await PostAsync(Payloads.Bytes(Payloads.WithTargets(Payloads.AlertmanagerWire, "34.123.45.67", "backend")));

        Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
        var content = (await Discord.NextAsync())["content"]!.GetValue<string>();
        Assert.Contains("backend @ 34.123.45.67", content, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_payload_with_many_long_alerts_stays_within_Discords_limits()
    {
        var root = JsonNode.Parse(Payloads.AlertmanagerWire)!;
        var template = root["alerts"]![0]!.ToJsonString();
        var alerts = new JsonArray();
        // 40 alerts of about 5 KB: within the 256 KiB body limit, far over Discord's.
        for (var i = 0; i < 40; i++)
        {
            var alert = JsonNode.Parse(template)!;
            alert["labels"]!["alertname"] = $"Alert{i:D2}";
            alert["annotations"]!["summary"] = new string('s', 500) + "😀";
            alert["annotations"]!["description"] = new string('d', 4000) + string.Concat(Enumerable.Repeat("🔥", 50));
            alerts.Add(alert);
        }

        root["alerts"] = alerts;
        using var response = await PostAsync(Payloads.Bytes(root));

        Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
        var message = await Discord.NextAsync();
        var content = message["content"]!.GetValue<string>();
        Assert.InRange(content.Length, 1, 2000);
        Assert.Contains("Alert00", content, StringComparison.Ordinal);
        Assert.Contains("more", content, StringComparison.Ordinal);
        var embeds = message["embeds"]!.AsArray();
        Assert.InRange(embeds.Count, 1, 10);
        Assert.All(embeds, e => Assert.InRange(e!["description"]!.GetValue<string>().Length, 1, 4096));
        Assert.InRange(embeds.Sum(e => e!["title"]!.GetValue<string>().Length + e["description"]!.GetValue<string>().Length), 1, 6000);
        // Cut between whole characters: no lone surrogate survives the round trip.
        Assert.DoesNotContain("\uFFFD", message.ToJsonString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Wrong_credentials_are_refused_and_nothing_is_forwarded()
    {
        using var response = await PostAsync(Payloads.AlertmanagerWire, password: "wrong");

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.NotNull(response.Headers.WwwAuthenticate.SingleOrDefault());
        Assert.Equal(0, Discord.Count);
    }

    [Theory]
    [InlineData("{\"alerts\": [", "malformed JSON")]
    [InlineData("{\"status\": \"firing\"}", "no alerts")]
    [InlineData("null", "null")]
    [InlineData("{\"alerts\": [{\"labels\": {\"alertname\": 5}}]}", "malformed JSON")]
    public async Task A_malformed_payload_is_refused_with_the_reason(string body, string reason)
    {
        using var response = await PostAsync(Encoding.UTF8.GetBytes(body));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var problem = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
        Assert.Contains(reason, problem["detail"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Equal(0, Discord.Count);
    }

    [Fact]
    public async Task A_Discord_failure_answers_502_without_the_URL_anywhere()
    {
        Discord.Respond = (_, context) =>
        {
            context.Response.StatusCode = StatusCodes.Status500InternalServerError;
            return Task.CompletedTask;
        };

        using var response = await PostAsync(Payloads.AlertmanagerWire);

        Assert.Equal(HttpStatusCode.BadGateway, response.StatusCode);
        var body = await response.Content.ReadAsStringAsync();
        Assert.Contains("Discord answered 500", body, StringComparison.Ordinal);
        // Once: Alertmanager retries a 502 on its own schedule.
        Assert.Equal(1, Discord.Count);
        AssertNoSecret(body + response.Headers + response.Content.Headers);
        Assert.Contains(_logs.Lines, l => l.Contains("Discord answered 500", StringComparison.Ordinal));
        AssertNoSecret(string.Join("\n", _logs.Lines));
    }

    [Fact]
    public async Task Discord_429_is_waited_out_once_with_its_retry_after()
    {
        Discord.Respond = async (n, context) =>
        {
            if (n == 1)
            {
                context.Response.StatusCode = StatusCodes.Status429TooManyRequests;
                await context.Response.WriteAsJsonAsync(new { message = "You are being rate limited.", retry_after = 0.2, global = false });
            }
            else
            {
                context.Response.StatusCode = StatusCodes.Status204NoContent;
            }
        };

        var started = TimeProvider.System.GetTimestamp();
        using var response = await PostAsync(Payloads.AlertmanagerWire);

        Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
        Assert.Equal(2, Discord.Count);
        Assert.True(TimeProvider.System.GetElapsedTime(started) >= TimeSpan.FromMilliseconds(200));
    }

    [Fact]
    public async Task A_second_429_or_a_retry_after_beyond_the_bound_answers_502()
    {
        Discord.Respond = async (_, context) =>
        {
            context.Response.StatusCode = StatusCodes.Status429TooManyRequests;
            await context.Response.WriteAsJsonAsync(new { retry_after = 0.05 });
        };

        using (var response = await PostAsync(Payloads.AlertmanagerWire))
        {
            Assert.Equal(HttpStatusCode.BadGateway, response.StatusCode);
            Assert.Equal(2, Discord.Count);
        }

        // Longer than Scaler:Discord:MaxRetryAfter (2 s): not waited for at all.
        Discord.Respond = async (_, context) =>
        {
            context.Response.StatusCode = StatusCodes.Status429TooManyRequests;
            await context.Response.WriteAsJsonAsync(new { retry_after = 60.5 });
        };

        using (var response = await PostAsync(Payloads.AlertmanagerWire))
        {
            Assert.Equal(HttpStatusCode.BadGateway, response.StatusCode);
            Assert.Contains("60.5", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
            Assert.Equal(3, Discord.Count);
        }
    }

    [Fact]
    public async Task Without_a_Discord_URL_the_relay_answers_503()
    {
        await using var scaler = await ScalerHost.StartAsync(Configuration(null));

        using var response = await PostAsync(scaler.Http, Payloads.AlertmanagerWire);

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.Contains("Discord is not configured", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("http://discord.example.com/api/webhooks/1/" + FakeDiscord.Token)]
    [InlineData("api/webhooks/1/" + FakeDiscord.Token)]
    [InlineData("ftp://127.0.0.1/api/webhooks/1/" + FakeDiscord.Token)]
    public async Task A_URL_that_is_not_https_is_refused_at_start_without_being_shown(string url)
    {
        var ex = await Assert.ThrowsAsync<OptionsValidationException>(() => ScalerHost.StartAsync(Configuration(url)));

        Assert.Contains("Scaler:Discord:WebhookUrl", ex.Message, StringComparison.Ordinal);
        AssertNoSecret(ex.ToString());
    }

    private void AssertNoSecret(string text)
    {
        Assert.DoesNotContain(FakeDiscord.Token, text, StringComparison.Ordinal);
        Assert.DoesNotContain("/api/webhooks/", text, StringComparison.Ordinal);
        Assert.DoesNotContain(Discord.WebhookUrl, text, StringComparison.Ordinal);
    }
}
