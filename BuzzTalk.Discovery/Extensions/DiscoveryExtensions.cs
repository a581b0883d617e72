using System.Net;
using BuzzTalk.Discovery.Configuration;
using BuzzTalk.Discovery.Gcp;
using BuzzTalk.Discovery.Outputs;
using BuzzTalk.Discovery.Probes;
using BuzzTalk.Discovery.Providers;
using BuzzTalk.Discovery.Refresh;
using Microsoft.Extensions.Configuration.Memory;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Http.Resilience;
using Microsoft.Extensions.Options;
using Polly;

namespace BuzzTalk.Discovery.Extensions;

public static class DiscoveryExtensions
{
    public const string HealthCheckName = "inventory";

    /// <summary>Options, the configured provider, the refresh loop (and for GCP the preemption watch), outputs, probes and health.</summary>
    public static TBuilder AddDiscovery<TBuilder>(this TBuilder builder)
        where TBuilder : IHostApplicationBuilder
    {
        // Nothing per request, per Compute call or per retry at Information (as the Scaler): ASP.NET Core logs
        // every request, HttpClient every call, Polly every handled attempt and retry. The refresh loop logs what
        // matters (failures, instances left out); warnings and errors of the rest still show. Lowest precedence:
        // configuration can turn them back on.
        builder.Configuration.Sources.Insert(0, new MemoryConfigurationSource
        {
            InitialData =
            [
                new("Logging:LogLevel:Microsoft.AspNetCore", "Warning"),
                new("Logging:LogLevel:Microsoft.AspNetCore.Hosting.Diagnostics", "None"),
                new("Logging:LogLevel:System.Net.Http.HttpClient", "Warning"),
                new("Logging:LogLevel:Polly", "Error"),
            ],
        });

        var services = builder.Services;
        services.AddOptions<DiscoveryOptions>()
            .BindConfiguration(DiscoveryOptions.SectionName)
            .ValidateOnStart();
        services.AddSingleton<IValidateOptions<DiscoveryOptions>, ValidateDiscoveryOptions>();
        services.AddOptions<ProbeOptions>()
            .BindConfiguration(ProbeOptions.SectionName)
            .Validate(o => o.Timeout >= TimeSpan.FromMilliseconds(100) && o.Timeout <= TimeSpan.FromMinutes(1),
                "Probes:Timeout must be between 100 ms and 1 min.")
            .ValidateOnStart();

        services.TryAddSingleton(TimeProvider.System);
        services.AddSingleton<InventoryStore>();
        services.AddSingleton<DiscoveryMetrics>();
        services.AddSingleton<FileSdWriter>();
        services.AddSingleton<InventoryStateFile>();
        services.AddSingleton<PreemptedInstances>();
        services.AddSingleton<InventoryPublisher>();
        services.AddSingleton<DiscoveryRefresher>();
        services.AddHostedService(sp => sp.GetRequiredService<DiscoveryRefresher>());
        services.AddHealthChecks().AddCheck<DiscoveryHealthCheck>(HealthCheckName);

        var provider = builder.Configuration.GetSection(DiscoveryOptions.SectionName).GetValue<InstanceProviderKind?>(nameof(DiscoveryOptions.Provider))
            ?? InstanceProviderKind.Static;
        switch (provider)
        {
            case InstanceProviderKind.Gcp:
                services.AddSingleton<IAccessTokenSource, GoogleAccessTokenSource>();
                services.AddSingleton<GoogleTokenClient>();
#pragma warning disable EXTEXP0001 // Evaluation API; the supported way to replace the defaults' handler.
                // Compute and token calls get their own timeouts and retries instead of the defaults.
                services.AddHttpClient<ComputeClient>(http => http.DefaultRequestHeaders.UserAgent.ParseAdd(ComputeClient.UserAgent))
                    // gzip: a 5,000-instance refresh is 0.2 MB on the wire instead of 14 MB.
                    .ConfigurePrimaryHttpMessageHandler(() => new SocketsHttpHandler { AutomaticDecompression = DecompressionMethods.GZip })
                    .RemoveAllResilienceHandlers()
                    .AddResilienceHandler("compute", (pipeline, context) =>
                        ConfigureComputeResilience(pipeline, context.ServiceProvider.GetRequiredService<IOptions<DiscoveryOptions>>().Value.Gcp));
                services.AddHttpClient(GoogleTokenClient.HttpClientName)
                    .RemoveAllResilienceHandlers()
                    .AddResilienceHandler("gcp-token", (pipeline, context) =>
                        ConfigureComputeResilience(pipeline, context.ServiceProvider.GetRequiredService<IOptions<DiscoveryOptions>>().Value.Gcp));
#pragma warning restore EXTEXP0001
                services.AddSingleton<IInstanceProvider, GcpInstanceProvider>();
                services.AddHostedService<PreemptionWatch>();
                break;
            case InstanceProviderKind.File:
                services.AddSingleton<IInstanceProvider, FileInstanceProvider>();
                break;
            default:
                services.AddSingleton<IInstanceProvider, StaticInstanceProvider>();
                break;
        }

        return builder;
    }

    /// <summary>http_sd endpoints and the database probes.</summary>
    public static IEndpointRouteBuilder MapDiscovery(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapHttpSd();
        endpoints.MapProbes();
        return endpoints;
    }

    /// <summary>
    /// Retries 429, 5xx, 408, connection errors and attempt timeouts with exponential backoff and
    /// jitter, honouring Retry-After; every attempt is bounded by <see cref="GcpOptions.CallTimeout"/>.
    /// </summary>
    private static void ConfigureComputeResilience(ResiliencePipelineBuilder<HttpResponseMessage> pipeline, GcpOptions gcp)
    {
        pipeline.AddRetry(new HttpRetryStrategyOptions
        {
            MaxRetryAttempts = Math.Max(gcp.MaxRetries, 1),
            ShouldHandle = gcp.MaxRetries == 0 ? _ => PredicateResult.False() : new HttpRetryStrategyOptions().ShouldHandle,
            BackoffType = DelayBackoffType.Exponential,
            UseJitter = true,
            Delay = gcp.RetryDelay,
            ShouldRetryAfterHeader = true,
        });
        pipeline.AddTimeout(gcp.CallTimeout);
    }
}
