using BuzzTalk.Scaler.Decisions;
using BuzzTalk.Scaler.State;
using Microsoft.Extensions.Time.Testing;

namespace BuzzTalk.Scaler.Tests.State;

/// <summary>The stabilization windows handed from one engine to the next, as across a restart.</summary>
public sealed class RestoredWindowsTests
{
    private static readonly TargetTrackingOptions s_options = new()
    {
        TargetUsage = 0.6,
        ScaleUpStabilization = TimeSpan.FromSeconds(20),
        ScaleDownStabilization = TimeSpan.FromMinutes(5),
    };

    [Fact]
    public void A_recent_high_survives_a_restart_so_a_quiet_sample_does_not_scale_down_at_once()
    {
        var time = new FakeTimeProvider();
        var before = new TargetTrackingEngine(s_options, time);
        Assert.Equal(4, before.Decide("h/backend", new ScaleInput(2, 1.2, 1, 10, 10)).Recommended);
        var saved = before.ExportRecommendations();

        time.Advance(TimeSpan.FromMinutes(1));
        var after = new TargetTrackingEngine(s_options, time);
        after.RestoreRecommendations(saved);
        var quiet = after.Decide("h/backend", new ScaleInput(4, 0.1, 1, 10, 10));

        Assert.Equal(4, quiet.Desired);
        Assert.Equal("held by the stabilization window", quiet.Reason);
        // Without the saved window the same sample scales down.
        Assert.Equal(3, new TargetTrackingEngine(s_options, time).Decide("h/backend", new ScaleInput(4, 0.1, 1, 10, 10)).Desired);
    }

    [Fact]
    public void Saved_recommendations_older_than_every_window_or_not_counts_are_dropped()
    {
        var time = new FakeTimeProvider();
        var engine = new TargetTrackingEngine(s_options, time);
        var now = time.GetUtcNow();

        engine.RestoreRecommendations(new Dictionary<string, List<TimedValue>>
        {
            ["h/old"] = [new TimedValue(now - TimeSpan.FromMinutes(6), 5)],
            ["h/odd"] = [new TimedValue(now, 2.5), new TimedValue(now, -1), new TimedValue(now + TimeSpan.FromHours(1), 3)],
            ["h/kept"] = [new TimedValue(now - TimeSpan.FromMinutes(4), 3)],
        });

        Assert.Equal(["h/kept"], engine.ExportRecommendations().Keys);
    }
}
