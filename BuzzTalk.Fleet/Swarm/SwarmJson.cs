using System.Text.Json;
using System.Text.Json.Serialization;

namespace BuzzTalk.Fleet.Swarm;

// The shapes docker prints with --format '{{json .}}'. Only read fields are declared.

internal sealed record ServiceInspect(string ID, ServiceSpec Spec, ServiceVersion? Version = null, UpdateStatus? UpdateStatus = null, ServiceSpec? PreviousSpec = null);

internal sealed record ServiceVersion(long Index);

internal sealed record UpdateStatus(string? State, string? Message, string? StartedAt = null);

internal sealed record ServiceSpec(string Name, ServiceMode? Mode, TaskTemplate? TaskTemplate, Dictionary<string, string>? Labels = null);

internal sealed record ServiceMode(ReplicatedMode? Replicated, JsonElement? Global = null);

internal sealed record ReplicatedMode(int? Replicas);

internal sealed record TaskTemplate(ContainerSpec? ContainerSpec, ResourceRequirements? Resources);

internal sealed record ContainerSpec(string? Image);

internal sealed record ResourceRequirements(ResourceSpec? Limits, ResourceSpec? Reservations);

internal sealed record ResourceSpec(long NanoCPUs, long MemoryBytes);

internal sealed record TaskLine(string ID, string Name, string DesiredState, string CurrentState, string? Error);

internal sealed record StatsLine(string ID, string Name, string CPUPerc, string MemUsage);

internal sealed record ContainerLine(string ID, string Labels, string? Status = null);

/// <summary>Source-generated: Native AOT needs no reflection.</summary>
[JsonSerializable(typeof(ServiceInspect))]
[JsonSerializable(typeof(List<ServiceInspect>))]
[JsonSerializable(typeof(TaskLine))]
[JsonSerializable(typeof(StatsLine))]
[JsonSerializable(typeof(ContainerLine))]
[JsonSerializable(typeof(ResourceSpec))]
internal sealed partial class SwarmJsonContext : JsonSerializerContext;
