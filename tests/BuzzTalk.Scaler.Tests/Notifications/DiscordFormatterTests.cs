using BuzzTalk.Scaler.Execution;
using BuzzTalk.Scaler.Notifications;

namespace BuzzTalk.Scaler.Tests.Notifications;

public sealed class DiscordFormatterTests
{
    [Theory]
    [InlineData("short", 10, "short")]
    [InlineData("abcdefghij", 10, "abcdefghij")]
    [InlineData("abcdefghijk", 10, "abcdefghi…")]
    [InlineData("abcdefgh😀z", 10, "abcdefgh…")]
    [InlineData("abcdefg😀yz", 10, "abcdefg😀…")]
    [InlineData("abc", 0, "")]
    public void Truncation_fits_the_limit_and_never_splits_a_surrogate_pair(string text, int max, string expected)
    {
        var cut = DiscordFormatter.Truncate(text, max);

        Assert.Equal(expected, cut);
        Assert.True(cut.Length <= max);
        Assert.False(cut.Length > 0 && char.IsHighSurrogate(cut[^1]));
    }

    [Fact]
    public void A_long_failure_reason_is_cut_to_Discords_content_limit()
    {
        var outcome = new ScaleOutcome(DateTimeOffset.UnixEpoch, "Evaluator", "10.0.0.1", "frontend", "TargetTracking",
            ScaleOutcome.Failed, null, null, new string('x', 5000), 12);

        var message = DiscordFormatter.FromOutcome(outcome);

        Assert.Equal(2000, message.Content.Length);
        Assert.StartsWith("❌ **Scale failed** `frontend` on 10.0.0.1: no change", message.Content, StringComparison.Ordinal);
        Assert.Null(message.Embeds);
    }

    [Fact]
    public void Alerts_without_labels_or_status_are_still_formatted()
    {
        var payload = DiscordFormatter.Parse("{\"alerts\":[{},null,{\"labels\":{\"alertname\":\"X\"}}]}"u8);

        var message = DiscordFormatter.FromAlertmanager(payload, new BuzzTalk.Scaler.Webhooks.WebhookOptions());

        Assert.Contains("**FIRING** · 2 alerts", message.Content, StringComparison.Ordinal);
        Assert.Contains("**X**", message.Content, StringComparison.Ordinal);
        Assert.Equal(2, message.Embeds!.Count);
    }
}
