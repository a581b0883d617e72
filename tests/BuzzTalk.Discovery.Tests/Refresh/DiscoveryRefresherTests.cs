using BuzzTalk.Discovery.Configuration;
using BuzzTalk.Discovery.Outputs;
using BuzzTalk.Discovery.Refresh;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace BuzzTalk.Discovery.Tests.Refresh;

public sealed class DiscoveryRefresherTests : IDisposable
{
    private readonly ScriptedProvider _provider = new();
    private readonly InventoryStore _store = new();
    private readonly FakeTimeProvider _time = new(DateTimeOffset.Parse("2026-11-25T12:00:00Z", System.Globalization.CultureInfo.InvariantCulture));
    private readonly DiscoveryOptions _options = new() { RefreshInterval = TimeSpan.FromSeconds(30), UnhealthyAfterFailures = 2 };
    private readonly ServiceMeters _meters = new();
    private readonly InventoryPublisher _publisher;
    private readonly DiscoveryRefresher _refresher;

    public DiscoveryRefresherTests()
    {
        var monitor = new StaticOptionsMonitor(_options);
        var metrics = new DiscoveryMetrics(_meters, _store);
        var state = new InventoryStateFile(Options.Create(_options), NullLogger<InventoryStateFile>.Instance);
        _publisher = new InventoryPublisher(_provider, _store, new FileSdWriter(monitor, metrics, NullLogger<FileSdWriter>.Instance), state,
            new PreemptedInstances(), _time);
        _refresher = new DiscoveryRefresher(_provider, _store, _publisher, state, metrics, monitor, _time, NullLogger<DiscoveryRefresher>.Instance);
    }

    public void Dispose()
    {
        _refresher.Dispose();
        _publisher.Dispose();
        _meters.Dispose();
    }

    [Fact]
    public async Task A_failed_refresh_keeps_the_last_good_instances()
    {
        _provider.Returns(ScriptedProvider.Instance("a", "127.0.0.11"), ScriptedProvider.Instance("b", "127.0.0.12"));
        Assert.True(await _refresher.RefreshAsync(CancellationToken.None));

        _provider.Throws(new HttpRequestException("connection refused"));
        Assert.False(await _refresher.RefreshAsync(CancellationToken.None));

        var current = _store.Current;
        Assert.Equal(["a", "b"], current.Instances.Select(i => i.Name));
        Assert.Equal(1, current.ConsecutiveFailures);
        Assert.Equal("connection refused", current.LastError);
        Assert.Equal(_time.GetUtcNow(), current.LastSuccess);
    }

    [Fact]
    public async Task Health_turns_unhealthy_after_the_configured_failures_in_a_row_and_back_on_success()
    {
        var health = new DiscoveryHealthCheck(_store, new StaticOptionsMonitor(_options));
        _provider.Returns(ScriptedProvider.Instance("a", "127.0.0.11"));
        await _refresher.RefreshAsync(CancellationToken.None);
        _provider.Throws(new TimeoutException("slow"));

        await _refresher.RefreshAsync(CancellationToken.None);
        Assert.Equal(HealthStatus.Healthy, (await health.CheckHealthAsync(new HealthCheckContext())).Status);

        await _refresher.RefreshAsync(CancellationToken.None);
        var unhealthy = await health.CheckHealthAsync(new HealthCheckContext());
        Assert.Equal(HealthStatus.Unhealthy, unhealthy.Status);
        Assert.Contains("slow", unhealthy.Description, StringComparison.Ordinal);

        _provider.Returns(ScriptedProvider.Instance("a", "127.0.0.11"));
        await _refresher.RefreshAsync(CancellationToken.None);
        Assert.Equal(HealthStatus.Healthy, (await health.CheckHealthAsync(new HealthCheckContext())).Status);
    }

    [Fact]
    public async Task The_loop_refreshes_at_once_and_then_every_interval()
    {
        _provider.Returns(ScriptedProvider.Instance("a", "127.0.0.11"));
        await _refresher.StartAsync(CancellationToken.None);
        await WaitForCallsAsync(1);

        _time.Advance(TimeSpan.FromSeconds(29));
        Assert.Equal(1, _provider.Calls);

        // A preempted spot instance vanishes within one interval.
        _provider.Returns();
        _time.Advance(TimeSpan.FromSeconds(1));
        await WaitForCallsAsync(2);
        await WaitUntilAsync(() => _store.Current.Instances.Count == 0);

        await _refresher.StopAsync(CancellationToken.None);
    }

    private Task WaitForCallsAsync(int calls) => WaitUntilAsync(() => _provider.Calls >= calls);

    private static async Task WaitUntilAsync(Func<bool> condition)
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        while (!condition())
        {
            await Task.Delay(TimeSpan.FromMilliseconds(10), cts.Token);
        }
    }

    private sealed class StaticOptionsMonitor(DiscoveryOptions value) : IOptionsMonitor<DiscoveryOptions>
    {
        public DiscoveryOptions CurrentValue => value;

        public DiscoveryOptions Get(string? name) => value;

        public IDisposable? OnChange(Action<DiscoveryOptions, string?> listener) => null;
    }
}
