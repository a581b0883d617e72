using BuzzTalk.Scaler.Webhooks;

namespace BuzzTalk.Scaler.Execution;

/// <summary>The webhook's answer: what became of each alert.</summary>
public sealed record WebhookAnswer(IReadOnlyList<ScaleOutcome> Outcomes, IReadOnlyList<AlertRejection> Ignored);
