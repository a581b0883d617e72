using BuzzTalk.Scaler.Webhooks;

namespace BuzzTalk.Scaler.Execution;

/// <summary>The webhook's answer: what became of each alert, those left alone, and the invalid ones with the reason.</summary>
public sealed record WebhookAnswer(IReadOnlyList<ScaleOutcome> Outcomes, IReadOnlyList<AlertRejection> Ignored, IReadOnlyList<AlertRejection> Invalid);
