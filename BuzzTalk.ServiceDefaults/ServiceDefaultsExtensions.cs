using System.Text;
using BuzzTalk.ServiceDefaults.Http;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;

namespace Microsoft.Extensions.Hosting;

/// <summary>
/// The defaults every BuzzTalk service shares: telemetry to OTLP and Prometheus, health
/// endpoints, resilient HttpClients with service discovery.
/// </summary>
public static class ServiceDefaultsExtensions
{
    /// <summary>Readiness: every registered check.</summary>
    public const string HealthPath = "/health";

    /// <summary>Liveness: only checks tagged <see cref="LiveTag"/>.</summary>
    public const string AlivePath = "/alive";

    /// <summary>Prometheus scrape endpoint.</summary>
    public const string MetricsPath = "/metrics";

    /// <summary>Tag of the health checks that make up liveness.</summary>
    public const string LiveTag = "live";

    /// <summary>
    /// Attribute combinations kept per metric; more are counted under <c>otel.metric.overflow</c>.
    /// OpenTelemetry allocates every metric's points up front for its limit: the default 2,000 put
    /// about 6 MB of idle heap (large-object heap) in each service, whose busiest metric (requests by
    /// route, method and status) has a few dozen combinations (docs/benchmarks.md).
    /// </summary>
    public const int MetricCardinalityLimit = 200;

    public static TBuilder AddServiceDefaults<TBuilder>(this TBuilder builder)
        where TBuilder : IHostApplicationBuilder
    {
        builder.ConfigureOpenTelemetry();
        builder.AddDefaultHealthChecks();
        // Problem responses written through the problem-details service: it needs no reflection,
        // which the services' Native AOT (and their JIT runtimeconfig) switch off.
        builder.Services.AddProblemDetails();

        builder.Services.AddServiceDiscovery();
        builder.Services.ConfigureHttpClientDefaults(http =>
        {
            http.AddStandardResilienceHandler();
            http.AddServiceDiscovery();
        });

        return builder;
    }

    public static TBuilder ConfigureOpenTelemetry<TBuilder>(this TBuilder builder)
        where TBuilder : IHostApplicationBuilder
    {
        builder.Logging.AddOpenTelemetry(logging =>
        {
            logging.IncludeFormattedMessage = true;
            logging.IncludeScopes = true;
        });

        var telemetry = builder.Services.AddOpenTelemetry()
            .WithMetrics(metrics => metrics
                .AddAspNetCoreInstrumentation()
                .AddHttpClientInstrumentation()
                .AddRuntimeInstrumentation()
                // Every BuzzTalk meter ("BuzzTalk.Scaler", ...) without listing each here.
                .AddMeter("BuzzTalk.*")
                // Changes only the limit: names, units and the instruments' advised buckets stay.
                .AddView(static _ => new MetricStreamConfiguration { CardinalityLimit = MetricCardinalityLimit })
                .AddPrometheusExporter());

        // The dashboard (or any collector) announces itself through the standard variable. Traces
        // have no other exporter: without a collector, tracing would only build an Activity per
        // request for nobody (a measurable share of a small webhook's cost).
        if (!string.IsNullOrWhiteSpace(builder.Configuration["OTEL_EXPORTER_OTLP_ENDPOINT"]))
        {
            telemetry
                .WithTracing(tracing => tracing
                    .AddSource(builder.Environment.ApplicationName)
                    .AddAspNetCoreInstrumentation(options =>
                        // Scrapes and probes would drown the real traffic.
                        options.Filter = context => !IsOperationalPath(context.Request.Path))
                    .AddHttpClientInstrumentation())
                .UseOtlpExporter();
        }

        return builder;
    }

    public static TBuilder AddDefaultHealthChecks<TBuilder>(this TBuilder builder)
        where TBuilder : IHostApplicationBuilder
    {
        builder.Services.AddHealthChecks()
            .AddCheck("self", () => HealthCheckResult.Healthy(), [LiveTag]);
        return builder;
    }

    /// <summary>Maps <c>/health</c>, <c>/alive</c> and <c>/metrics</c>.</summary>
    public static WebApplication MapDefaultEndpoints(this WebApplication app)
    {
        app.MapHealthChecks(HealthPath, new HealthCheckOptions { ResponseWriter = WriteStatusAsync });
        app.MapHealthChecks(AlivePath, new HealthCheckOptions
        {
            Predicate = registration => registration.Tags.Contains(LiveTag),
            ResponseWriter = WriteStatusAsync,
        });
        app.MapPrometheusScrapingEndpoint(MetricsPath);
        return app;
    }

    /// <summary>The default answer ("Healthy", ...) with its Content-Length (see <see cref="SizedResults"/>).</summary>
    private static Task WriteStatusAsync(HttpContext context, HealthReport report) =>
        SizedResults.WriteAsync(context, Encoding.UTF8.GetBytes(report.Status.ToString()), "text/plain");

    private static bool IsOperationalPath(PathString path) =>
        path.StartsWithSegments(HealthPath)
        || path.StartsWithSegments(AlivePath)
        || path.StartsWithSegments(MetricsPath);
}
