using System.Diagnostics.Metrics;
using System.Threading.Channels;
using BuzzTalk.Scaler.Execution;
using BuzzTalk.Scaler.Notifications;
using BuzzTalk.Testing;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace BuzzTalk.Scaler.Tests.Notifications;

/// <summary>The background decision notifier of a real Scaler host, posting to a fake Discord.</summary>
public sealed class DecisionNotifierTests : IAsyncLifetime
{
    private FakeDiscord? _discord;

    private FakeDiscord Discord => _discord!;

    public async Task InitializeAsync() => _discord = await FakeDiscord.StartAsync();

    public async Task DisposeAsync()
    {
        if (_discord is not null)
        {
            await _discord.DisposeAsync();
        }
    }

    private static ScaleOutcome Outcome(string result, int? from, int? to, string reason = "usage 91% over target 70%") =>
        new(DateTimeOffset.UnixEpoch, "Alertmanager", "34.123.45.67", "backend", "TargetTracking", result, from, to, reason, 1234);

    private Task<WebServiceHost> StartScalerAsync(params (string Key, string? Value)[] extra)
    {
        var configuration = DiscordRelayTests.Configuration(Discord.WebhookUrl);
        foreach (var (key, value) in extra)
        {
            configuration[key] = value;
        }

        return ScalerHost.StartAsync(configuration);
    }

    [Fact]
    public async Task A_scale_change_is_posted_with_host_service_counts_reason_and_source()
    {
        await using var scaler = await StartScalerAsync();
        var notifier = scaler.App.Services.GetRequiredService<DecisionNotifier>();

        notifier.Notify(Outcome(ScaleOutcome.Scaled, 1, 3));

        var content = (await Discord.NextAsync())["content"]!.GetValue<string>();
        Assert.Contains("Scaled up", content, StringComparison.Ordinal);
        Assert.Contains("`backend` on 34.123.45.67: 1 → 3", content, StringComparison.Ordinal);
        Assert.Contains("usage 91% over target 70%", content, StringComparison.Ordinal);
        Assert.Contains("Alertmanager", content, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Only_changes_and_failures_are_news()
    {
        await using var scaler = await StartScalerAsync();
        var notifier = scaler.App.Services.GetRequiredService<DecisionNotifier>();

        notifier.Notify(Outcome(ScaleOutcome.Unchanged, 2, 2));
        notifier.Notify(Outcome(ScaleOutcome.Deferred, null, null));
        notifier.Notify(Outcome(ScaleOutcome.Refused, null, null));
        notifier.Notify(Outcome(ScaleOutcome.Failed, 2, 3, "only 2 of 3 running after 60 s"));
        notifier.Notify(Outcome(ScaleOutcome.Scaled, 3, 2));

        // One reader, in order: had any of the first three been sent, it would come first.
        var failed = (await Discord.NextAsync())["content"]!.GetValue<string>();
        Assert.Contains("Scale failed", failed, StringComparison.Ordinal);
        Assert.Contains("only 2 of 3 running", failed, StringComparison.Ordinal);
        var down = (await Discord.NextAsync())["content"]!.GetValue<string>();
        Assert.Contains("Scaled down", down, StringComparison.Ordinal);
        Assert.Contains("3 → 2", down, StringComparison.Ordinal);
    }

    [Fact]
    public async Task When_Discord_is_slow_the_oldest_waiting_message_is_dropped_and_counted()
    {
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var first = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        Discord.Respond = async (n, context) =>
        {
            if (n == 1)
            {
                first.SetResult();
                await release.Task;
            }

            context.Response.StatusCode = StatusCodes.Status204NoContent;
        };
        await using var scaler = await StartScalerAsync(("Scaler:Discord:QueueCapacity", "2"));
        var results = Channel.CreateUnbounded<string>();
        using var listener = Listen(scaler, results.Writer);
        var notifier = scaler.App.Services.GetRequiredService<DecisionNotifier>();

        notifier.Notify(Outcome(ScaleOutcome.Scaled, 1, 2));
        await first.Task.WaitAsync(TimeSpan.FromSeconds(10));
        // The sender is now stuck on the first; the queue holds two of the next three.
        notifier.Notify(Outcome(ScaleOutcome.Scaled, 2, 3));
        notifier.Notify(Outcome(ScaleOutcome.Scaled, 3, 4));
        notifier.Notify(Outcome(ScaleOutcome.Scaled, 4, 5));
        // Counted synchronously by the enqueue that dropped it.
        Assert.True(results.Reader.TryRead(out var dropped));
        Assert.Equal("decision/dropped", dropped);
        Assert.False(results.Reader.TryRead(out _));
        release.SetResult();

        Assert.Contains("1 → 2", (await Discord.NextAsync())["content"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Contains("3 → 4", (await Discord.NextAsync())["content"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Contains("4 → 5", (await Discord.NextAsync())["content"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Equal(3, Discord.Count);
    }

    [Fact]
    public async Task A_failing_Discord_is_counted_and_the_next_message_still_goes_out()
    {
        Discord.Respond = (n, context) =>
        {
            context.Response.StatusCode = n == 1 ? StatusCodes.Status500InternalServerError : StatusCodes.Status204NoContent;
            return Task.CompletedTask;
        };
        await using var scaler = await StartScalerAsync();
        var results = Channel.CreateUnbounded<string>();
        using var listener = Listen(scaler, results.Writer);
        var notifier = scaler.App.Services.GetRequiredService<DecisionNotifier>();

        notifier.Notify(Outcome(ScaleOutcome.Scaled, 1, 2));
        notifier.Notify(Outcome(ScaleOutcome.Scaled, 2, 3));
        await Discord.NextAsync();
        await Discord.NextAsync();

        // The counter is written after Discord answers: wait for each measurement.
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        Assert.Equal("decision/failed", await results.Reader.ReadAsync(cts.Token));
        Assert.Equal("decision/sent", await results.Reader.ReadAsync(cts.Token));
    }

    [Fact]
    public async Task With_NotifyDecisions_off_nothing_is_queued()
    {
        await using var scaler = await StartScalerAsync(("Scaler:Discord:NotifyDecisions", "false"));

        Assert.False(scaler.App.Services.GetRequiredService<DecisionNotifier>().Enabled);
    }

    [Fact]
    public async Task Without_a_URL_decisions_are_not_notified()
    {
        await using var scaler = await ScalerHost.StartAsync(DiscordRelayTests.Configuration(null));

        Assert.False(scaler.App.Services.GetRequiredService<DecisionNotifier>().Enabled);
    }

    /// <summary>The notification counter of this host only (other tests' hosts run in parallel).</summary>
    private static MeterListener Listen(WebServiceHost scaler, ChannelWriter<string> results)
    {
        var factory = scaler.App.Services.GetRequiredService<IMeterFactory>();
        var listener = new MeterListener
        {
            InstrumentPublished = (instrument, l) =>
            {
                if (instrument.Name == "buzztalk.scaler.notifications" && ReferenceEquals(instrument.Meter.Scope, factory))
                {
                    l.EnableMeasurementEvents(instrument);
                }
            },
        };
        listener.SetMeasurementEventCallback<long>((_, _, tags, _) =>
        {
            string? kind = null, result = null;
            foreach (var tag in tags)
            {
                kind = tag.Key == "kind" ? tag.Value as string : kind;
                result = tag.Key == "result" ? tag.Value as string : result;
            }

            results.TryWrite($"{kind}/{result}");
        });
        listener.Start();
        return listener;
    }
}
