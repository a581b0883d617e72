using System.Globalization;
using BuzzTalk.AppHost.Tests;
using BuzzTalk.Testing;
using static Microsoft.Playwright.Assertions;

namespace BuzzTalk.Bench;

/// <summary>
/// A person's round trip: a message sent in one chat page (its websocket, through nginx) until
/// it is on screen in another page of the same room (Redis fan-out to the other page's
/// websocket). Both pages run in one headless Debian chromium, so one clock times both ends:
/// the sender's page notes when its Send is clicked, the receiver's when the message is added.
/// </summary>
public static class BrowserRoundTripBenchmark
{
    private static readonly TimeSpan s_timeout = TimeSpan.FromMinutes(5);

    // Notes, for each message text shown, when it was added to the list.
    private const string ObserveMessages = """
        () => {
          window.__shown = {};
          new MutationObserver(() => {
            const now = performance.timeOrigin + performance.now();
            for (const item of document.querySelectorAll('#messages li')) {
              const text = item.textContent;
              if (!(text in window.__shown)) window.__shown[text] = now;
            }
          }).observe(document.getElementById('messages'), { childList: true, subtree: true });
        }
        """;

    private const string SendNow = """
        () => {
          const now = performance.timeOrigin + performance.now();
          document.querySelector('#send-form button[type=submit]').click();
          return now;
        }
        """;

    private const string ShownAt = """
        (text) => {
          const key = Object.keys(window.__shown).find(k => k.includes(text));
          return key === undefined ? -1 : window.__shown[key];
        }
        """;

    public static async Task<int> RunAsync(StackProfile profile, int messages, TextWriter output, CancellationToken cancellationToken)
    {
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        cts.CancelAfter(s_timeout);
        using var state = new ScratchDirectory();
        await using var host = await StackHost.StartAsync(profile, state.Path, cts.Token);
        await using var chromium = await DebianChromium.LaunchAsync();

        var url = new Uri(host.Endpoint("frontend"), "/#" + "bench-" + Guid.NewGuid().ToString("N")[..8]).ToString();
        var sender = await chromium.NewPageAsync();
        var receiver = await chromium.NewPageAsync();
        foreach (var page in new[] { sender, receiver })
        {
            await page.GotoAsync(url);
            await Expect(page.Locator("#status")).ToHaveTextAsync("live");
        }

        await sender.FillAsync("#author", "bench");
        await receiver.EvaluateAsync(ObserveMessages);
        var trips = new List<double>();
        for (var i = 0; i < messages; i++)
        {
            cts.Token.ThrowIfCancellationRequested();
            var text = $"round trip {i.ToString(CultureInfo.InvariantCulture)} {Guid.NewGuid():N}";
            await sender.FillAsync("#text", text);
            var sent = await sender.EvaluateAsync<double>(SendNow);
            await Expect(receiver.Locator("#messages")).ToContainTextAsync(text);
            var shown = await receiver.EvaluateAsync<double>(ShownAt, text);
            trips.Add(shown - sent);
            // The next message waits for the sender's box to clear (its send has completed).
            await Expect(sender.Locator("#text")).ToHaveValueAsync("");
        }

        output.WriteLine($"profile {profile}: {trips.Count} messages");
        output.WriteLine("| profile | messages | p50 ms | p90 ms | max ms |");
        output.WriteLine("|---|---|---|---|---|");
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"| {profile.ToString().ToLowerInvariant()} | {trips.Count} | {Percentiles.NearestRank(trips, 0.5):F1} | {Percentiles.NearestRank(trips, 0.9):F1} | {trips.Max():F1} |"));
        return 0;
    }
}
