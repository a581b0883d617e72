using BuzzTalk.Deployer.Configuration;
using BuzzTalk.Deployer.Releases;
using BuzzTalk.Deployer.Rollout;

namespace BuzzTalk.Deployer.Service;

/// <summary>
/// Service mode, with a desired release kept: every <c>Deployer:Release:DriftInterval</c> reads every
/// instance's status against the desired release and publishes it as metrics, so an instance that
/// runs something else, or waits for its first boot, raises the published drift alert. A failed
/// look keeps the last published figures.
/// </summary>
public sealed partial class DriftMonitor(IConfiguration configuration, DeployerMetrics metrics, ILogger<DriftMonitor> logger,
    TimeProvider? time = null) : BackgroundService
{
    private readonly TimeProvider _time = time ?? TimeProvider.System;

    /// <summary>One look at the fleet; false when nothing could be read (settings, inventory or the record).</summary>
    public async Task<bool> CheckOnceAsync(CancellationToken cancellationToken)
    {
        var options = DeployerOptions.Load(configuration);
        if (!options.Release.Enabled || DeployerOptionsValidator.Validate(options).Count > 0)
        {
            return false;
        }

        IReadOnlyList<DeployTarget> targets;
        try
        {
            targets = await InventoryResolver.ResolveAsync(options, [], cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is ArgumentException or HttpRequestException or System.Text.Json.JsonException or TaskCanceledException)
        {
            LogLookFailed(logger, $"inventory: {ex.Message}");
            return false;
        }

        var (statuses, desired, error) = await RecordedOperations.StatusAsync(new FleetRollout(options), options, targets, "buzztalk", cancellationToken)
            .ConfigureAwait(false);
        if (error is not null)
        {
            LogLookFailed(logger, error);
            return false;
        }

        metrics.Publish(statuses, desired?.Revision);
        foreach (var status in statuses.Where(s => s.Drift is not null))
        {
            LogDrift(logger, status.Instance, status.Drift!);
        }

        return true;
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await CheckOnceAsync(stoppingToken).ConfigureAwait(false);
                var options = DeployerOptions.Load(configuration);
                await Task.Delay(options.Release.DriftInterval > TimeSpan.Zero ? options.Release.DriftInterval : TimeSpan.FromMinutes(1), _time, stoppingToken)
                    .ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Drift check: {Reason}; the last figures stay")]
    private static partial void LogLookFailed(ILogger logger, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "Instance {Instance} drifts from the desired release: {Drift}")]
    private static partial void LogDrift(ILogger logger, string instance, string drift);
}
