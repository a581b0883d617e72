namespace BuzzTalk.Scaler.State;

/// <summary>A value and when it was seen: a recommended replica count, or a usage sample.</summary>
public sealed record TimedValue(DateTimeOffset At, double Value);
