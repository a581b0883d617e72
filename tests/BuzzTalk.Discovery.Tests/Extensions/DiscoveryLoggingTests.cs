using BuzzTalk.Discovery.Extensions;
using BuzzTalk.Discovery.Tests.Fakes;
using BuzzTalk.Testing;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace BuzzTalk.Discovery.Tests.Extensions;

/// <summary>Default log levels as shipped: nothing per request, per call or per retry at Information.</summary>
public sealed class DiscoveryLoggingTests : FakeGcpTestBase
{
    private const string Project = "buzz-logging";
    [Fact]
    public async Task Refreshes_retries_and_requests_log_nothing_at_information_by_default()
    {
        Gcp.SetInstances(Project, [new FakeInstance("a1", "us-central1-a", "1", "10.0.0.1", "127.0.0.11")]);
        // The level a host has without configuration (the service ships no appsettings.json).
        var configuration = await GcpDiscoveryHost.ConfigurationAsync(Gcp, Project, Scratch, ("Logging:LogLevel:Default", "Information"));
        var capture = new LogCapture();
        await using var host = await WebServiceHost.StartAsync(configuration,
            builder =>
            {
                builder.Logging.AddProvider(capture);
                builder.AddServiceDefaults().AddDiscovery();
            },
            app =>
            {
                app.MapDefaultEndpoints();
                app.MapDiscovery();
            });
        var refresher = host.App.Services.GetRequiredService<BuzzTalk.Discovery.Refresh.DiscoveryRefresher>();
        await WaitUntilAsync(() => host.App.Services.GetRequiredService<BuzzTalk.Discovery.Refresh.InventoryStore>().Current.IsLoaded);
        capture.Entries.Clear();

        Gcp.FailNext(503, 1);
        Assert.True(await refresher.RefreshAsync(CancellationToken.None));
        foreach (var path in new[] { "/sd/targets", "/sd/targets/node-exporter", "/health", "/alive", "/metrics" })
        {
            (await host.Http.GetAsync(path)).Dispose();
        }

        Assert.Equal(3, Gcp.ComputeRequests);
        Assert.Empty(capture.Entries.Where(e => e.Level >= LogLevel.Information).Select(e => $"{e.Level} {e.Category}: {e.Message}"));
    }

    private static async Task WaitUntilAsync(Func<bool> condition)
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        while (!condition())
        {
            await Task.Delay(TimeSpan.FromMilliseconds(20), cts.Token);
        }
    }
}
