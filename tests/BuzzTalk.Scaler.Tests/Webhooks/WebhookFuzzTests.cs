using System.Net;
using System.Text;
using BuzzTalk.Fleet.Swarm;
using BuzzTalk.Scaler.Webhooks;

namespace BuzzTalk.Scaler.Tests.Webhooks;

/// <summary>
/// 10,000+ generated malformed, truncated and hostile payloads: every one is either refused with
/// a reason or yields only requests whose host is an IP address and whose service is a valid
/// name (and a reason for each invalid alert) — never an unexpected exception (a 5xx) and never
/// an unchecked value.
/// </summary>
public sealed class WebhookFuzzTests
{
    private static readonly string[] s_hostile =
    [
        "$(reboot)", "`id`", "; rm -rf /", "../../etc/passwd", "backend\nexit", "a b", "\"quoted\"", "'",
        "&&", "|", ">out", "\u0000", "%00", "${IFS}", "backend=99", "-rf", "--detach", new string('a', 5000),
    ];

    [Fact]
    public void Ten_thousand_generated_payloads_give_a_reason_or_only_checked_requests()
    {
        var random = new Random(20261125);
        var seeds = new[]
        {
            (AlertSource.Alertmanager, Payloads.Bytes(Payloads.WithTargets(Payloads.AlertmanagerWire))),
            (AlertSource.Grafana, Payloads.Bytes(Payloads.SeedRule(2, 1, 1, "up"))),
            (AlertSource.Grafana, Payloads.Bytes(Payloads.WithTargets(Payloads.GrafanaWire))),
        };
        var outcomes = new Dictionary<string, int>();
        for (var i = 0; i < 12_000; i++)
        {
            var (source, seed) = seeds[i % seeds.Length];
            var body = Mutate(seed, random);
            string outcome;
            try
            {
                var parsed = WebhookParser.Parse(source, body, new WebhookOptions());
                foreach (var request in parsed.Requests)
                {
                    Assert.True(IPAddress.TryParse(request.Host, out _), $"payload {i}: host {request.Host}");
                    Assert.True(SwarmNames.IsServiceName(request.Service), $"payload {i}: service {request.Service}");
                    Assert.True(request.TargetReplicas is null or >= 0 and <= SwarmNames.MaxReplicas);
                }

                Assert.All(parsed.Invalid, i => Assert.False(string.IsNullOrWhiteSpace(i.Reason)));
                outcome = parsed.Invalid.Count > 0 ? "invalid alerts reported" : "parsed";
            }
            catch (WebhookRejectedException ex)
            {
                Assert.Equal(400, ex.StatusCode);
                Assert.False(string.IsNullOrWhiteSpace(ex.Message));
                outcome = "refused";
            }

            outcomes[outcome] = outcomes.GetValueOrDefault(outcome) + 1;
        }

        // The generator must really produce both kinds, or this test proves nothing. An invalid alert
        // in an otherwise valid payload is reported, not refused whole (issue 16).
        var bad = outcomes.GetValueOrDefault("refused") + outcomes.GetValueOrDefault("invalid alerts reported");
        Assert.True(bad > 5_000, $"refused {outcomes.GetValueOrDefault("refused")}, with invalid alerts {outcomes.GetValueOrDefault("invalid alerts reported")}");
        Assert.True(outcomes.GetValueOrDefault("parsed") > 500, $"parsed {outcomes.GetValueOrDefault("parsed")}");
    }

    private static byte[] Mutate(byte[] seed, Random random)
    {
        var text = Encoding.UTF8.GetString(seed);
        switch (random.Next(9))
        {
            case 0: // truncated anywhere
                return Encoding.UTF8.GetBytes(text[..random.Next(text.Length)]);
            case 1: // random bytes flipped
                var bytes = seed.ToArray();
                for (var n = random.Next(1, 6); n > 0; n--)
                {
                    bytes[random.Next(bytes.Length)] = (byte)random.Next(256);
                }

                return bytes;
            case 2: // hostile host
                return Encoding.UTF8.GetBytes(text.Replace("34.123.45.67", Pick(random), StringComparison.Ordinal));
            case 3: // hostile service
                return Encoding.UTF8.GetBytes(text.Replace("\"backend\"", "\"" + Escape(Pick(random)) + "\"", StringComparison.Ordinal));
            case 4: // wrong types
                return Encoding.UTF8.GetBytes(text.Replace("\"firing\"", random.Next(2) == 0 ? "1" : "[]", StringComparison.Ordinal));
            case 5: // huge or odd numbers
                return Encoding.UTF8.GetBytes(text.Replace(":2,", ":" + new[] { "1e400", "-0", "9999999999999999999999", "NaN", "2e0" }[random.Next(5)] + ",", StringComparison.Ordinal));
            case 6: // deep nesting
                var depth = random.Next(10, 200);
                return Encoding.UTF8.GetBytes(text.Replace("\"labels\":{", "\"labels\":" + new string('[', depth) + new string(']', depth) + ",\"x\":{", StringComparison.Ordinal));
            case 7: // nulls in place of objects
                return Encoding.UTF8.GetBytes(text.Replace("\"labels\":{", "\"labels\":null,\"y\":{", StringComparison.Ordinal));
            default: // untouched but with a hostile extra label (ignored: not the host or service label)
                return Encoding.UTF8.GetBytes(text.Replace("\"job\":", "\"evil\":\"" + Escape(Pick(random)) + "\",\"job\":", StringComparison.Ordinal));
        }
    }

    private static string Pick(Random random) => s_hostile[random.Next(s_hostile.Length)];

    private static string Escape(string value) => System.Text.Json.JsonEncodedText.Encode(value).ToString();
}
