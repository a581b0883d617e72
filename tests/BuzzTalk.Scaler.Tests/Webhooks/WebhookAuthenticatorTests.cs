using BuzzTalk.Scaler.Webhooks;
using Microsoft.Extensions.Time.Testing;

namespace BuzzTalk.Scaler.Tests.Webhooks;

/// <summary>
/// Grafana's HMAC signature, the Scaler's own check. The basic-auth check is ServiceDefaults'
/// <c>BasicCredentials</c> (tested there); that the webhooks go through it is shown on the real
/// endpoint (<c>ScaleExecutionTests</c>, <c>DiscordRelayTests</c>: 401 for a wrong password).
/// </summary>
public sealed class WebhookAuthenticatorTests
{
    // From ../shared/reference/grafana/hmac-test-vector.txt, over the exact wire bytes.
    private const string Secret = "grafana-hmac-secret";
    private const string SignatureWithoutTimestamp = "fee144842113f3af72a38d79a621727ae47b61e891aa2c45a96d542efadf6895";
    private const string SignatureWithTimestamp = "fc6f7ebddcafe945627fdf19c8de0a1aca7d9a07dccc8b1a3e2e0ac7017c2cd2";
    private const string Timestamp = "1748959590";

    private static readonly FakeTimeProvider s_time = new(DateTimeOffset.FromUnixTimeSeconds(1748959590).AddSeconds(30));

    private static WebhookAuthenticator Authenticator(string? timestampHeader = null) => new(new WebhookOptions
    {
        GrafanaHmacSecret = Secret,
        GrafanaTimestampHeader = timestampHeader,
    }, s_time);

    [Fact]
    public void Grafanas_signature_over_the_exact_body_verifies()
    {
        Assert.Null(Authenticator().CheckGrafanaSignature(Payloads.GrafanaWire, SignatureWithoutTimestamp, null));
    }

    [Fact]
    public void Grafanas_timestamped_signature_verifies_within_the_allowed_skew()
    {
        Assert.Null(Authenticator("X-Grafana-Alerting-Timestamp").CheckGrafanaSignature(Payloads.GrafanaWire, SignatureWithTimestamp, Timestamp));
    }

    [Fact]
    public void A_changed_body_a_wrong_or_missing_signature_and_a_stale_timestamp_are_refused()
    {
        var body = Payloads.GrafanaWire;
        var tampered = body.ToArray();
        tampered[^2] ^= 1;

        Assert.Equal("signature does not match", Authenticator().CheckGrafanaSignature(tampered, SignatureWithoutTimestamp, null));
        Assert.Equal("signature is not hex", Authenticator().CheckGrafanaSignature(body, "zz", null));
        Assert.NotNull(Authenticator().CheckGrafanaSignature(body, null, null));
        Assert.NotNull(Authenticator("X-Grafana-Alerting-Timestamp").CheckGrafanaSignature(body, SignatureWithTimestamp, "1748950000"));
        Assert.NotNull(Authenticator("X-Grafana-Alerting-Timestamp").CheckGrafanaSignature(body, SignatureWithTimestamp, null));
    }
}
