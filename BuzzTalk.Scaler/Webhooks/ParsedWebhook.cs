namespace BuzzTalk.Scaler.Webhooks;

/// <summary>Every alert of a payload: the requests to act on and the alerts left alone with reasons.</summary>
public sealed record ParsedWebhook(IReadOnlyList<ScaleRequest> Requests, IReadOnlyList<AlertRejection> Ignored);
