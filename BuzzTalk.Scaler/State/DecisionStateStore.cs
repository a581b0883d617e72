using System.Text.Json;
using BuzzTalk.Scaler.Configuration;
using BuzzTalk.Scaler.Decisions;
using BuzzTalk.Scaler.Execution;
using Microsoft.Extensions.Options;

namespace BuzzTalk.Scaler.State;

/// <summary>
/// Keeps the decision state (cooldowns, stabilization windows, the evaluator's recent samples)
/// across restarts in <c>decision-state.json</c> under the state directory, so a restarted Scaler
/// does not act again inside a cooldown or forget a recent high and flap. Loaded at start (a
/// missing or unreadable file is logged and the Scaler starts fresh); saved within
/// <see cref="SaveInterval"/> of a change and at stop, written to a temporary file and renamed
/// over the old one, so a crash leaves the old file or the new one, never half of one.
/// </summary>
public sealed class DecisionStateStore(
    TargetTrackingEngine engine,
    ScaleExecutor executor,
    ScaleEvaluator evaluator,
    IOptions<ScalerOptions> options,
    TimeProvider time,
    ILogger<DecisionStateStore> logger) : BackgroundService
{
    public const string FileName = "decision-state.json";

    /// <summary>How soon a change is saved (changes come with decisions: seconds apart at most).</summary>
    public static readonly TimeSpan SaveInterval = TimeSpan.FromSeconds(1);

    private readonly SemaphoreSlim _saving = new(1, 1);
    private long _savedVersion = -1;

    /// <summary>The state file, or null when there is no state directory (state in memory only).</summary>
    public string? FilePath { get; } = options.Value.ResolvedStateDirectory() is { } directory ? Path.Combine(directory, FileName) : null;

    public override Task StartAsync(CancellationToken cancellationToken)
    {
        // Before the evaluator's first round and the first webhook (hosted services start in order, the server last).
        Load();
        return base.StartAsync(cancellationToken);
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken).ConfigureAwait(false);
        await SaveIfChangedAsync(cancellationToken).ConfigureAwait(false);
    }

    public override void Dispose()
    {
        _saving.Dispose();
        base.Dispose();
    }

    /// <summary>Writes the state if it changed since the last save.</summary>
    public async Task SaveIfChangedAsync(CancellationToken cancellationToken)
    {
        if (FilePath is not { } path)
        {
            return;
        }

        await _saving.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var version = Version;
            if (version == _savedVersion)
            {
                return;
            }

            var snapshot = new DecisionStateSnapshot(DecisionStateSnapshot.CurrentVersion, time.GetUtcNow(),
                executor.ExportLastActions(), engine.ExportRecommendations(), evaluator.ExportSamples());
            var bytes = JsonSerializer.SerializeToUtf8Bytes(snapshot, DecisionStateJsonContext.Default.DecisionStateSnapshot);
            var temporary = path + ".tmp";
            try
            {
                Directory.CreateDirectory(Path.GetDirectoryName(path)!);
                await using (var file = new FileStream(temporary, FileMode.Create, FileAccess.Write, FileShare.None, 4096, FileOptions.Asynchronous))
                {
                    await file.WriteAsync(bytes, cancellationToken).ConfigureAwait(false);
                    file.Flush(flushToDisk: true);
                }

                File.Move(temporary, path, overwrite: true);
                _savedVersion = version;
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                ScalerLog.StateNotSaved(logger, path, ex.Message);
            }
        }
        finally
        {
            _saving.Release();
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (FilePath is null)
        {
            return;
        }

        using var timer = new PeriodicTimer(SaveInterval, time);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false))
            {
                await SaveIfChangedAsync(stoppingToken).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Stopping: StopAsync saves once more.
        }
    }

    private long Version => engine.Version + executor.Version + evaluator.Version;

    private void Load()
    {
        // Nothing to write until something changes, whatever is found.
        _savedVersion = Version;
        if (FilePath is not { } path)
        {
            ScalerLog.StateInMemory(logger);
            return;
        }

        DecisionStateSnapshot? snapshot;
        try
        {
            using var file = File.OpenRead(path);
            snapshot = JsonSerializer.Deserialize(file, DecisionStateJsonContext.Default.DecisionStateSnapshot);
        }
        catch (Exception ex) when (ex is FileNotFoundException or DirectoryNotFoundException)
        {
            ScalerLog.StateMissing(logger, path);
            return;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or JsonException or NotSupportedException)
        {
            ScalerLog.StateUnreadable(logger, path, ex.Message);
            return;
        }

        if (snapshot is not { Version: DecisionStateSnapshot.CurrentVersion, LastActions: { } actions, Recommendations: { } recommendations, Samples: { } samples })
        {
            ScalerLog.StateUnreadable(logger, path, $"not a version {DecisionStateSnapshot.CurrentVersion} state");
            return;
        }

        executor.RestoreLastActions(actions);
        engine.RestoreRecommendations(recommendations);
        evaluator.RestoreSamples(samples);
        _savedVersion = Version;
        ScalerLog.StateLoaded(logger, path, snapshot.SavedAt, actions.Count, recommendations.Count, samples.Count);
    }
}
