using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;

namespace BuzzTalk.ServiceDefaults.Tests;

/// <summary>
/// Traces are built only when a collector is configured (OTEL_EXPORTER_OTLP_ENDPOINT, as Aspire's
/// dashboard sets it): without one they would go nowhere, at a cost on every request. Metrics are
/// always on (the /metrics scrape).
/// </summary>
public sealed class TelemetryTests
{
    [Fact]
    public async Task Without_a_collector_no_tracer_is_built_but_metrics_are()
    {
        await using var app = Build(otlpEndpoint: null);

        Assert.Null(app.Services.GetService<TracerProvider>());
        Assert.NotNull(app.Services.GetService<MeterProvider>());
    }

    [Fact]
    public async Task With_a_collector_requests_are_traced()
    {
        await using var app = Build(otlpEndpoint: "http://127.0.0.1:4317");

        Assert.NotNull(app.Services.GetService<TracerProvider>());
        Assert.NotNull(app.Services.GetService<MeterProvider>());
    }

    private static WebApplication Build(string? otlpEndpoint)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Configuration["OTEL_EXPORTER_OTLP_ENDPOINT"] = otlpEndpoint;
        builder.AddServiceDefaults();
        return builder.Build();
    }
}
