namespace BuzzTalk.Demo;

// What the demo reads from the services' JSON APIs (camelCase, read case-insensitively).

/// <summary>The Deployer's <c>/api/operations/{id}</c>.</summary>
public sealed record OperationView(string Id, string Kind, string State, IReadOnlyList<string>? Progress, FleetReportView? Report, string? Error);

public sealed record FleetReportView(IReadOnlyList<InstanceReportView> Instances, double Seconds);

public sealed record InstanceReportView(string Instance, string Outcome, string Message, double Seconds);

/// <summary>The Deployer's <c>/api/status</c>, one per instance.</summary>
public sealed record InstanceStatusView(string Instance, string Outcome, string Message, IReadOnlyList<ServiceStatusView>? Services, LeaseStatusView? Lease);

public sealed record ServiceStatusView(string Name, string Image, int Running, int? Desired, string? UpdateState);

public sealed record LeaseStatusView(string Holder, string Operation, DateTimeOffset Expires, bool Held);

/// <summary>One of the Scaler's <c>/api/decisions</c>.</summary>
public sealed record DecisionView(DateTimeOffset At, string Source, string Host, string Service, string Result, int? From, int? To, string Reason);
