using System.Text.Json;
using System.Text.Json.Serialization;
using BuzzTalk.Scaler.Configuration;
using BuzzTalk.Scaler.Webhooks;
using Microsoft.Extensions.Options;

namespace BuzzTalk.Scaler.Execution;

/// <summary>
/// Every decision, appended as one JSON line to the audit file (never rewritten) and kept in a
/// bounded in-memory view for <c>GET /api/decisions</c>.
/// </summary>
public sealed class DecisionLog(IOptions<ScalerOptions> options, ScalerMetrics metrics) : IDisposable
{
    private const int Kept = 500;
    private readonly Lock _lock = new();
    private readonly LinkedList<ScaleOutcome> _recent = new();
    private readonly SemaphoreSlim _file = new(1, 1);

    public async Task RecordAsync(ScaleOutcome outcome, CancellationToken cancellationToken)
    {
        metrics.Decision(outcome);
        // The evaluator decides every few seconds; only what it changed, deferred or failed is news.
        if (outcome.Source == nameof(AlertSource.Evaluator) && outcome.Result == ScaleOutcome.Unchanged)
        {
            return;
        }

        lock (_lock)
        {
            _recent.AddLast(outcome);
            if (_recent.Count > Kept)
            {
                _recent.RemoveFirst();
            }
        }

        if (options.Value.AuditFile is { } path)
        {
            var line = JsonSerializer.Serialize(outcome, ScalerJsonContext.Default.ScaleOutcome) + "\n";
            await _file.WaitAsync(cancellationToken).ConfigureAwait(false);
            try
            {
                await File.AppendAllTextAsync(path, line, cancellationToken).ConfigureAwait(false);
            }
            finally
            {
                _file.Release();
            }
        }
    }

    /// <summary>
    /// Replaces a recorded scale with what became of it (its convergence) in the in-memory view;
    /// the audit file keeps one line per decision, written when it was taken.
    /// </summary>
    public void Converged(ScaleOutcome issued, ScaleOutcome followed)
    {
        lock (_lock)
        {
            for (var node = _recent.Last; node is not null; node = node.Previous)
            {
                if (ReferenceEquals(node.Value, issued))
                {
                    node.Value = followed;
                    return;
                }
            }
        }
    }

    /// <summary>Newest first.</summary>
    public IReadOnlyList<ScaleOutcome> Recent()
    {
        lock (_lock)
        {
            return [.. _recent.Reverse()];
        }
    }

    public void Dispose() => _file.Dispose();
}

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase)]
[JsonSerializable(typeof(ScaleOutcome))]
[JsonSerializable(typeof(IReadOnlyList<ScaleOutcome>))]
[JsonSerializable(typeof(WebhookAnswer))]
internal sealed partial class ScalerJsonContext : JsonSerializerContext;
