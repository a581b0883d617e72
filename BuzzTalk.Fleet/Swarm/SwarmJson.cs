using System.Text.Json;
using System.Text.Json.Serialization;

namespace BuzzTalk.Fleet.Swarm;

// The shapes docker prints with --format '{{json .}}' and the Engine API answers. Only read fields are declared.

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

// GET /containers/json: Status is the text docker ps prints ("Up 4 seconds (health: starting)").
internal sealed record ContainerSummary(string Id, Dictionary<string, string>? Labels, string? Status);

// docker container inspect: the task a container runs, and its health check's verdict when it has one.
internal sealed record ContainerInspect(ContainerConfig? Config, ContainerState? State);

internal sealed record ContainerConfig(Dictionary<string, string>? Labels);

internal sealed record ContainerState(ContainerHealth? Health);

internal sealed record ContainerHealth(string? Status);

// GET /tasks.
internal sealed record EngineTask(string ID, string ServiceID, string DesiredState, EngineTaskStatus? Status);

internal sealed record EngineTaskStatus(string? State);

// GET /containers/{id}/stats?stream=false: precpu_stats is the engine's sample a second earlier.
internal sealed record StatsAnswer(
    [property: JsonPropertyName("cpu_stats")] CpuStats? CpuStats,
    [property: JsonPropertyName("precpu_stats")] CpuStats? PreCpuStats,
    [property: JsonPropertyName("memory_stats")] MemoryStats? MemoryStats);

internal sealed record CpuStats(
    [property: JsonPropertyName("cpu_usage")] CpuUsage? CpuUsage,
    [property: JsonPropertyName("system_cpu_usage")] ulong SystemCpuUsage,
    [property: JsonPropertyName("online_cpus")] uint OnlineCpus);

internal sealed record CpuUsage(
    [property: JsonPropertyName("total_usage")] ulong TotalUsage,
    [property: JsonPropertyName("percpu_usage")] List<ulong>? PercpuUsage);

internal sealed record MemoryStats(
    [property: JsonPropertyName("usage")] ulong Usage,
    [property: JsonPropertyName("limit")] ulong Limit,
    [property: JsonPropertyName("stats")] Dictionary<string, ulong>? Stats);

/// <summary>Source-generated: Native AOT needs no reflection.</summary>
[JsonSerializable(typeof(ServiceInspect))]
[JsonSerializable(typeof(List<ServiceInspect>))]
[JsonSerializable(typeof(TaskLine))]
[JsonSerializable(typeof(List<ContainerSummary>))]
[JsonSerializable(typeof(List<ContainerInspect>))]
[JsonSerializable(typeof(List<EngineTask>))]
[JsonSerializable(typeof(StatsAnswer))]
internal sealed partial class SwarmJsonContext : JsonSerializerContext;
