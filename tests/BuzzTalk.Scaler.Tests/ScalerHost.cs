using BuzzTalk.Scaler.Extensions;
using BuzzTalk.Scaler.Webhooks;
using BuzzTalk.Testing;
using Microsoft.Extensions.Hosting;

namespace BuzzTalk.Scaler.Tests;

/// <summary>The Scaler wired as its Program.cs does, on real Kestrel on loopback.</summary>
public static class ScalerHost
{
    public static Task<WebServiceHost> StartAsync(IDictionary<string, string?> configuration) =>
        WebServiceHost.StartAsync(configuration,
            builder => builder.AddServiceDefaults().AddScaler(),
            app => app.MapDefaultEndpoints().MapScalerEndpoints());
}
