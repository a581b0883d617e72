using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace BuzzTalk.Testing;

/// <summary>
/// A BuzzTalk service wired the way its Program.cs does (the caller's two callbacks), on real
/// Kestrel on a free loopback port, with configuration supplied by the test.
/// </summary>
public sealed class WebServiceHost : IAsyncDisposable
{
    private WebServiceHost(WebApplication app, Uri address)
    {
        App = app;
        Http = new HttpClient { BaseAddress = address, Timeout = TimeSpan.FromMinutes(2) };
    }

    public WebApplication App { get; }

    public HttpClient Http { get; }

    public Uri Address => Http.BaseAddress!;

    public static async Task<WebServiceHost> StartAsync(
        IDictionary<string, string?> configuration,
        Action<WebApplicationBuilder> addServices,
        Action<WebApplication> mapEndpoints)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Configuration.AddInMemoryCollection(configuration);
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        addServices(builder);
        var app = builder.Build();
        mapEndpoints(app);
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await app.StartAsync(cts.Token);
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single();
        return new WebServiceHost(app, new Uri(address));
    }

    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await App.StopAsync(cts.Token);
        await App.DisposeAsync();
    }
}
