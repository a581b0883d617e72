using BuzzTalk.Deployer.Rollout;

namespace BuzzTalk.Deployer.Service;

/// <summary>An operation as the API shows it: running, then its report.</summary>
public sealed record OperationView(string Id, string Kind, string State, DateTimeOffset Started, IReadOnlyList<string> Progress, FleetReport? Report, string? Error);
