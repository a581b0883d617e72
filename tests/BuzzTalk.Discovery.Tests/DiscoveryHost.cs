using BuzzTalk.Discovery.Extensions;
using BuzzTalk.Discovery.Refresh;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace BuzzTalk.Discovery.Tests;

/// <summary>
/// The Discovery service wired exactly as its Program.cs does, on real Kestrel on loopback,
/// with configuration and (optionally) the clock supplied by the test.
/// </summary>
public sealed class DiscoveryHost : IAsyncDisposable
{
    private DiscoveryHost(WebApplication app, Uri address)
    {
        App = app;
        Http = new HttpClient { BaseAddress = address, Timeout = TimeSpan.FromSeconds(30) };
    }

    public WebApplication App { get; }

    public HttpClient Http { get; }

    public Uri Address => Http.BaseAddress!;

    public InventoryStore Store => App.Services.GetRequiredService<InventoryStore>();

    public DiscoveryRefresher Refresher => App.Services.GetRequiredService<DiscoveryRefresher>();

    public static async Task<DiscoveryHost> StartAsync(IDictionary<string, string?> configuration, TimeProvider? time = null)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Configuration.AddInMemoryCollection(configuration);
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        if (time is not null)
        {
            builder.Services.AddSingleton(time);
        }

        builder.AddServiceDefaults();
        builder.AddDiscovery();
        var app = builder.Build();
        app.MapDefaultEndpoints();
        app.MapDiscovery();

        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await app.StartAsync(cts.Token);
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single();
        return new DiscoveryHost(app, new Uri(address));
    }

    /// <summary>Waits until the store satisfies a condition (the refresh loop runs on its own).</summary>
    public async Task<InventorySnapshot> WaitForAsync(Func<InventorySnapshot, bool> condition, TimeSpan? timeout = null)
    {
        using var cts = new CancellationTokenSource(timeout ?? TimeSpan.FromSeconds(30));
        while (!condition(Store.Current))
        {
            await Task.Delay(TimeSpan.FromMilliseconds(50), cts.Token);
        }

        return Store.Current;
    }

    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await App.StopAsync(cts.Token);
        await App.DisposeAsync();
    }
}
