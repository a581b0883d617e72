using BuzzTalk.Discovery.Extensions;
using BuzzTalk.Discovery.Refresh;
using BuzzTalk.Testing;
using Microsoft.AspNetCore.Builder;
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
    private readonly WebServiceHost _host;

    private DiscoveryHost(WebServiceHost host) => _host = host;

    public HttpClient Http => _host.Http;

    public Uri Address => _host.Address;

    public InventoryStore Store => _host.App.Services.GetRequiredService<InventoryStore>();

    public DiscoveryRefresher Refresher => _host.App.Services.GetRequiredService<DiscoveryRefresher>();

    /// <summary>Starts Discovery; <paramref name="logs"/>, when given, receives its log entries.</summary>
    public static async Task<DiscoveryHost> StartAsync(IDictionary<string, string?> configuration, TimeProvider? time = null, ILoggerProvider? logs = null) =>
        new(await WebServiceHost.StartAsync(configuration,
            builder =>
            {
                if (time is not null)
                {
                    builder.Services.AddSingleton(time);
                }

                if (logs is not null)
                {
                    builder.Logging.AddProvider(logs);
                }

                builder.AddServiceDefaults().AddDiscovery();
            },
            app =>
            {
                app.MapDefaultEndpoints();
                app.MapDiscovery();
            }));

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

    public ValueTask DisposeAsync() => _host.DisposeAsync();
}
