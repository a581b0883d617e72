namespace BuzzTalk.AppHost.Runtime;

/// <summary>The profile the AppHost runs and why, for the start-up log.</summary>
public sealed record LocalRuntimeChoice(LocalRuntime Runtime, string Reason);
