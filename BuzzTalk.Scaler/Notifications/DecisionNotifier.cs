using System.Threading.Channels;
using BuzzTalk.Scaler.Execution;
using Microsoft.Extensions.Options;

namespace BuzzTalk.Scaler.Notifications;

/// <summary>
/// Posts every executed scale change and every failure to Discord, in the background: the
/// scale path only enqueues (never waits, never fails). The queue is bounded; when Discord is
/// slower than the decisions, the oldest waiting message is dropped and counted.
/// </summary>
public sealed class DecisionNotifier : BackgroundService
{
    private readonly DiscordClient _discord;
    private readonly Channel<ScaleOutcome> _queue;

    public DecisionNotifier(DiscordClient discord, IOptions<DiscordOptions> options, ScalerMetrics metrics)
    {
        _discord = discord;
        var o = options.Value;
        Enabled = o.IsConfigured && o.NotifyDecisions;
        _queue = Channel.CreateBounded<ScaleOutcome>(
            new BoundedChannelOptions(o.QueueCapacity) { FullMode = BoundedChannelFullMode.DropOldest, SingleReader = true },
            _ => metrics.NotificationDropped(DiscordClient.DecisionKind));
    }

    public bool Enabled { get; }

    /// <summary>Queues the outcome when it is news (a change or a failure); returns at once.</summary>
    public void Notify(ScaleOutcome outcome)
    {
        var news = outcome.Result == ScaleOutcome.Failed || (outcome.Result == ScaleOutcome.Scaled && outcome.From != outcome.To);
        if (Enabled && news)
        {
            _queue.Writer.TryWrite(outcome);
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!Enabled)
        {
            return;
        }

        await foreach (var outcome in _queue.Reader.ReadAllAsync(stoppingToken).ConfigureAwait(false))
        {
            // Failures are counted and logged by the client; the next message is tried regardless.
            await _discord.SendAsync(DiscordFormatter.FromOutcome(outcome), DiscordClient.DecisionKind, stoppingToken).ConfigureAwait(false);
        }
    }
}
