using System.Diagnostics.Metrics;
using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;

namespace BuzzTalk.ServiceDefaults.Tests;

/// <summary>A real Kestrel app on loopback with the service defaults, as every BuzzTalk service runs.</summary>
public sealed class ServiceDefaultsExtensionsTests : IAsyncLifetime
{
    private WebApplication? _app;
    private HttpClient? _http;
    private volatile bool _dependencyUp = true;
    private int _flakyCalls;

    private HttpClient Http => _http!;

    public async Task InitializeAsync()
    {
        var port = FreePort();
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls($"http://127.0.0.1:{port}");
        // How Aspire tells a service where "self" is: service discovery resolves http://self.
        builder.Configuration[$"services:self:http:0"] = $"http://127.0.0.1:{port}";
        builder.AddServiceDefaults();
        // A readiness-only check: a dependency going down must fail /health but not /alive.
        builder.Services.AddHealthChecks().AddCheck("dependency",
            () => _dependencyUp ? HealthCheckResult.Healthy() : HealthCheckResult.Unhealthy("dependency down"));

        _app = builder.Build();
        _app.MapGet("/hello", () => "hello");
        _app.MapGet("/flaky", () => Interlocked.Increment(ref _flakyCalls) <= 2 ? Results.StatusCode(503) : Results.Ok("third time"));
        _app.MapDefaultEndpoints();
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await _app.StartAsync(cts.Token);

        var address = _app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single();
        _http = new HttpClient { BaseAddress = new Uri(address), Timeout = TimeSpan.FromSeconds(30) };
    }

    public async Task DisposeAsync()
    {
        _http?.Dispose();
        if (_app is not null)
        {
            await _app.StopAsync();
            await _app.DisposeAsync();
        }
    }

    [Fact]
    public async Task Health_and_alive_answer_200_when_everything_is_up()
    {
        Assert.Equal(HttpStatusCode.OK, (await Http.GetAsync("/health")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await Http.GetAsync("/alive")).StatusCode);
    }

    [Fact]
    public async Task A_failing_dependency_fails_readiness_but_not_liveness()
    {
        _dependencyUp = false;

        Assert.Equal(HttpStatusCode.ServiceUnavailable, (await Http.GetAsync("/health")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await Http.GetAsync("/alive")).StatusCode);
    }

    [Fact]
    public async Task Metrics_are_served_in_prometheus_text_format_with_request_metrics()
    {
        Assert.Equal("hello", await Http.GetStringAsync("/hello"));

        // The exporter caches a scrape briefly; poll until the request above is counted.
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        string body;
        do
        {
            using var response = await Http.GetAsync("/metrics", cts.Token);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Equal("text/plain", response.Content.Headers.ContentType?.MediaType);
            body = await response.Content.ReadAsStringAsync(cts.Token);
        }
        while (!body.Contains("http_route=\"/hello\"", StringComparison.Ordinal) && await Delay(cts.Token));

        Assert.Contains("# TYPE http_server_request_duration_seconds histogram", body, StringComparison.Ordinal);
        Assert.Contains("http_route=\"/hello\"", body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Request_durations_keep_the_buckets_aspnetcore_advises()
    {
        Assert.Equal("hello", await Http.GetStringAsync("/hello"));

        var body = await ScrapeUntilAsync("http_route=\"/hello\"");

        // ASP.NET Core advises seconds-scale buckets (5 ms to 10 s); OpenTelemetry's default starts at 0, 5, 10.
        Assert.Contains("http_route=\"/hello\",network_protocol_version=\"1.1\",url_scheme=\"http\",le=\"0.005\"}", body, StringComparison.Ordinal);
        Assert.Contains("http_route=\"/hello\",network_protocol_version=\"1.1\",url_scheme=\"http\",le=\"7.5\"}", body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_metric_keeps_at_most_the_cardinality_limit_of_attribute_combinations_and_counts_the_rest_as_overflow()
    {
        // Every host in the process gets the instrument: "BuzzTalk.*" meters are collected.
        using var meter = new Meter("BuzzTalk.CardinalityTest." + Guid.NewGuid().ToString("N"));
        var counter = meter.CreateCounter<long>("buzztalk.cardinality_test." + Guid.NewGuid().ToString("N")[..8]);
        var extra = 50;
        for (var i = 0; i < ServiceDefaultsExtensions.MetricCardinalityLimit + extra; i++)
        {
            counter.Add(1, new KeyValuePair<string, object?>("item", i));
        }

        var name = counter.Name.Replace('.', '_') + "_total";
        var body = await ScrapeUntilAsync(name + "{");

        // The limit counts attribute combinations; the overflow series comes on top of them.
        var series = body.Split('\n').Where(line => line.StartsWith(name + "{", StringComparison.Ordinal)).ToList();
        var overflow = Assert.Single(series, line => line.Contains("otel_metric_overflow=\"true\"", StringComparison.Ordinal));
        Assert.EndsWith($" {extra}", overflow, StringComparison.Ordinal);
        Assert.Equal(ServiceDefaultsExtensions.MetricCardinalityLimit + 1, series.Count);
    }

    [Fact]
    public async Task Http_clients_resolve_service_names_and_retry_transient_failures()
    {
        using var http = _app!.Services.GetRequiredService<IHttpClientFactory>().CreateClient("any");

        Assert.Equal("hello", await http.GetStringAsync(new Uri("http://self/hello")));
        Assert.Equal("\"third time\"", await http.GetStringAsync(new Uri("http://self/flaky")));
        Assert.Equal(3, _flakyCalls);
    }

    /// <summary>The exporter caches a scrape briefly: scrapes until the text appears.</summary>
    private async Task<string> ScrapeUntilAsync(string text)
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        string body;
        do
        {
            body = await Http.GetStringAsync("/metrics", cts.Token);
        }
        while (!body.Contains(text, StringComparison.Ordinal) && await Delay(cts.Token));

        return body;
    }

    private static int FreePort()
    {
        using var listener = new System.Net.Sockets.TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static async Task<bool> Delay(CancellationToken cancellationToken)
    {
        await Task.Delay(TimeSpan.FromMilliseconds(200), cancellationToken);
        return true;
    }
}
