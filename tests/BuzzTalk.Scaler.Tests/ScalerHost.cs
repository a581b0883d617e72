using BuzzTalk.Scaler.Extensions;
using BuzzTalk.Scaler.Webhooks;
using BuzzTalk.Testing;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Hosting;

namespace BuzzTalk.Scaler.Tests;

/// <summary>The Scaler wired as its Program.cs does, on real Kestrel on loopback.</summary>
public static class ScalerHost
{
    /// <param name="configure">Test additions (e.g. a log capture) before the Scaler's own services.</param>
    public static Task<WebServiceHost> StartAsync(IDictionary<string, string?> configuration, Action<WebApplicationBuilder>? configure = null) =>
        WebServiceHost.StartAsync(configuration,
            builder =>
            {
                configure?.Invoke(builder);
                builder.AddServiceDefaults().AddScaler();
            },
            app => app.MapDefaultEndpoints().MapScalerEndpoints());
}
