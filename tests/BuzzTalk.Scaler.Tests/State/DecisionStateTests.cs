using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using BuzzTalk.Scaler.State;
using BuzzTalk.Scaler.Tests.Notifications;
using BuzzTalk.Scaler.Tests.Webhooks;
using Microsoft.Extensions.Logging;

namespace BuzzTalk.Scaler.Tests.State;

/// <summary>
/// The decision state survives a restart: on the real swarm over real SSH, a busy service scaled
/// by a pressure alert is not scaled again by the same alert after the Scaler restarted inside the
/// cooldown; a corrupt state file is logged and the Scaler starts fresh and rewrites it.
/// </summary>
public sealed class DecisionStateTests : IAsyncLifetime
{
    private WebhookScaler? _world;

    private WebhookScaler World => _world!;

    private string StateFile => Path.Combine(World.Host.Directory, "state", DecisionStateStore.FileName);

    // Busy-loops inside a 0.05 CPU limit: usage at 100 % of its limit, so every pressure alert asks for more.
    public async Task InitializeAsync() =>
        _world = await WebhookScaler.StartAsync("bt-state-", "scaler-state-password",
            (configuration, host) =>
            {
                configuration["Scaler:StateDirectory"] = Path.Combine(host.Directory, "state");
                configuration["Scaler:Cooldown"] = "00:05:00";
            },
            [], "sh", "-c", "while :; do :; done");

    public async Task DisposeAsync()
    {
        if (_world is not null)
        {
            await _world.DisposeAsync();
        }
    }

    [Fact]
    public async Task A_restarted_Scaler_keeps_the_cooldown_and_does_not_scale_again()
    {
        var first = Assert.Single(await PressureAsync());
        Assert.Equal("scaled", first["result"]!.GetValue<string>());
        var scaledTo = first["to"]!.GetValue<int>();

        await World.RestartScalerAsync();
        Assert.True(File.Exists(StateFile));

        var again = Assert.Single(await PressureAsync());
        Assert.Equal("unchanged", again["result"]!.GetValue<string>());
        Assert.Contains("cooldown", again["reason"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Equal(scaledTo, await World.Host.DesiredAsync());
    }

    [Fact]
    public async Task A_corrupt_state_file_is_logged_and_the_Scaler_starts_fresh_and_rewrites_it()
    {
        var logs = new LogCapture();
        await World.RestartScalerAsync(b => b.Logging.AddProvider(logs), async () =>
        {
            Directory.CreateDirectory(Path.GetDirectoryName(StateFile)!);
            await File.WriteAllTextAsync(StateFile, "{\"version\":1,\"lastActions\":{\"127.0.0.1/x\":");
        });

        Assert.Contains(logs.Lines, l => l.StartsWith("Warning", StringComparison.Ordinal) && l.Contains("unreadable", StringComparison.Ordinal));
        Assert.Equal("scaled", Assert.Single(await PressureAsync())["result"]!.GetValue<string>());

        // Saved within a second of the change, whole.
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        JsonNode? saved = null;
        while (saved?["lastActions"]?.AsObject().Count is not > 0)
        {
            await Task.Delay(TimeSpan.FromMilliseconds(100), deadline.Token);
            saved = TryParse(await File.ReadAllTextAsync(StateFile, deadline.Token));
        }

        Assert.True(saved["lastActions"]!.AsObject().ContainsKey($"127.0.0.1/{World.Host.Name}"));
        Assert.False(File.Exists(StateFile + ".tmp"));
    }

    // Still the corrupt file until the first save.
    private static JsonNode? TryParse(string json)
    {
        try
        {
            return JsonNode.Parse(json);
        }
        catch (JsonException)
        {
            return null;
        }
    }

    /// <summary>An Alertmanager pressure alert (no count of its own: the engine measures and decides).</summary>
    private async Task<List<JsonNode>> PressureAsync()
    {
        var body = Payloads.Bytes(Payloads.WithTargets(Payloads.AlertmanagerWire, "127.0.0.1", World.Host.Name));
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/webhooks/alertmanager") { Content = new ByteArrayContent(body) };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        request.Headers.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{WebhookScaler.User}:{World.Password}")));
        using var response = await World.Http.SendAsync(request);
        return await GrafanaAlerts.OutcomesAsync(response);
    }
}
