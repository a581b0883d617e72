using BuzzTalk.Fleet.Inventory;
using BuzzTalk.Scaler.Configuration;
using BuzzTalk.Scaler.Decisions;
using BuzzTalk.Scaler.Execution;
using BuzzTalk.Scaler.Webhooks;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace BuzzTalk.Scaler.Extensions;

public static class ScalerExtensions
{
    public static TBuilder AddScaler<TBuilder>(this TBuilder builder)
        where TBuilder : IHostApplicationBuilder
    {
        var services = builder.Services;
        services.AddOptions<ScalerOptions>().BindConfiguration(ScalerOptions.SectionName)
            .Validate(o => o.Services.Values.All(b => b.Min >= 0 && b.Max >= b.Min && b.Max <= BuzzTalk.Fleet.Swarm.SwarmNames.MaxReplicas),
                "Scaler:Services: every service needs 0 <= Min <= Max <= 1000.")
            .Validate(o => o.Services.Keys.All(BuzzTalk.Fleet.Swarm.SwarmNames.IsServiceName), "Scaler:Services: invalid service name.")
            .ValidateOnStart();
        services.AddOptions<WebhookOptions>().BindConfiguration(WebhookOptions.SectionName)
            .Validate(o => o.MaxBodyBytes is >= 1024 and <= 16 * 1024 * 1024, "Scaler:Webhooks:MaxBodyBytes must be 1 KiB to 16 MiB.")
            .ValidateOnStart();

        services.TryAddSingleton(TimeProvider.System);
        services.AddSingleton(sp => new WebhookAuthenticator(sp.GetRequiredService<IOptions<WebhookOptions>>().Value, sp.GetRequiredService<TimeProvider>()));
        services.AddSingleton(sp => new TargetTrackingEngine(sp.GetRequiredService<IOptions<ScalerOptions>>().Value.TargetTracking, sp.GetRequiredService<TimeProvider>()));
        services.AddSingleton<HostConnections>();
        services.AddSingleton<ScalerMetrics>();
        services.AddSingleton<DecisionLog>();
        services.AddSingleton<ScaleExecutor>();
        services.AddSingleton<ScaleEvaluator>();
        services.AddHostedService(sp => sp.GetRequiredService<ScaleEvaluator>());
        services.AddHttpClient(nameof(HttpSdInventory));
        services.AddSingleton<IInventory>(sp =>
        {
            var o = sp.GetRequiredService<IOptions<ScalerOptions>>().Value;
            return o.DiscoveryUrl is { } url
                ? new HttpSdInventory(sp.GetRequiredService<IHttpClientFactory>().CreateClient(nameof(HttpSdInventory)), url,
                    TimeSpan.FromSeconds(10), sp.GetRequiredService<TimeProvider>())
                : new StaticInventory(o.Instances);
        });
        return builder;
    }
}
