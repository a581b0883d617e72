namespace BuzzTalk.Scaler.Webhooks;

/// <summary>
/// Every alert of a payload: the requests to act on, the alerts left alone with reasons (resolved,
/// the seed rule's own no-change), and the invalid ones with what is wrong with them.
/// </summary>
public sealed record ParsedWebhook(IReadOnlyList<ScaleRequest> Requests, IReadOnlyList<AlertRejection> Ignored, IReadOnlyList<AlertRejection> Invalid);
