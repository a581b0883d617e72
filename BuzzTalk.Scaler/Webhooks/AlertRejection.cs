namespace BuzzTalk.Scaler.Webhooks;

/// <summary>An alert of an accepted payload that leads to no action, and why.</summary>
public sealed record AlertRejection(int Index, string Reason);
