using System.Text.Json.Serialization;

namespace BuzzTalk.Discovery.Gcp;

// The parts of the Compute v1 schemas Discovery reads (field names per the API's discovery
// document). Every field is optional in the API's JSON; unknown fields are ignored. Values every
// instance repeats are read through PooledStringConverter.

/// <summary>
/// A page of an <c>aggregatedList</c> answer: scopes (<c>zones/x</c>) to items, or to a NO_RESULTS_ON_PAGE
/// warning when a scope has none on this page.
/// </summary>
public interface IAggregatedPage<out TItem>
{
    string? NextPageToken { get; }

    /// <summary>The page's items, scope after scope.</summary>
    IEnumerable<TItem> PageItems();
}

/// <summary><c>compute#instanceAggregatedList</c>: scopes (<c>zones/x</c>) to instances or a warning.</summary>
public sealed record InstanceAggregatedList(Dictionary<string, InstancesScopedList>? Items, string? NextPageToken, List<string>? Unreachables)
    : IAggregatedPage<ComputeInstance>
{
    public IEnumerable<ComputeInstance> PageItems() => Items?.Values.SelectMany(scope => scope.Instances ?? []) ?? [];
}

public sealed record InstancesScopedList(List<ComputeInstance>? Instances, ComputeWarning? Warning);

public sealed record ComputeWarning(string? Code, string? Message);

public sealed record ComputeInstance(
    string? Id,
    string? Name,
    [property: JsonConverter(typeof(PooledStringConverter))] string? Status,
    [property: JsonConverter(typeof(PooledStringConverter))] string? Zone,
    [property: JsonConverter(typeof(PooledStringConverter))] string? MachineType,
    List<NetworkInterface>? NetworkInterfaces,
    InstanceScheduling? Scheduling,
    InstanceMetadata? Metadata,
    Dictionary<string, string>? Labels,
    InstanceTags? Tags);

public sealed record NetworkInterface(
    [property: JsonConverter(typeof(PooledStringConverter))] string? Network,
    [property: JsonConverter(typeof(PooledStringConverter))] string? Subnetwork,
    string? NetworkIP,
    List<AccessConfig>? AccessConfigs);

public sealed record InstanceTags(List<string>? Items);

public sealed record AccessConfig([property: JsonConverter(typeof(PooledStringConverter))] string? Type, string? NatIP);

public sealed record InstanceScheduling([property: JsonConverter(typeof(PooledStringConverter))] string? ProvisioningModel, bool? Preemptible);

public sealed record InstanceMetadata(List<MetadataItem>? Items);

public sealed record MetadataItem([property: JsonConverter(typeof(PooledStringConverter))] string? Key, string? Value);

/// <summary>Answer of <c>regionInstanceGroupManagers.listManagedInstances</c>.</summary>
public sealed record ManagedInstanceList(List<ManagedInstance>? ManagedInstances, string? NextPageToken);

/// <summary>A group member; <c>id</c> and <c>instanceStatus</c> are absent until the VM exists.</summary>
public sealed record ManagedInstance(string? Instance, string? Id, string? Name, string? InstanceStatus, string? CurrentAction);

/// <summary>
/// <c>compute#operationAggregatedList</c> (<c>globalOperations.aggregatedList</c>): scopes (<c>zones/x</c>) to
/// operations or a warning, as the instance list.
/// </summary>
public sealed record OperationAggregatedList(Dictionary<string, OperationsScopedList>? Items, string? NextPageToken)
    : IAggregatedPage<ComputeOperation>
{
    public IEnumerable<ComputeOperation> PageItems() => Items?.Values.SelectMany(scope => scope.Operations ?? []) ?? [];
}

public sealed record OperationsScopedList(List<ComputeOperation>? Operations, ComputeWarning? Warning);

/// <summary>
/// A <c>compute#operation</c>, only what the preemption watch reads. <c>targetId</c> is the instance's uint64 id,
/// read without failing the page when it is malformed (<see cref="InstanceIdConverter"/>); <c>insertTime</c> is
/// RFC 3339 text, parsed by the watch for the same reason.
/// </summary>
public sealed record ComputeOperation(
    [property: JsonConverter(typeof(InstanceIdConverter))] ulong? TargetId,
    string? TargetLink,
    string? InsertTime,
    [property: JsonConverter(typeof(PooledStringConverter))] string? OperationType,
    [property: JsonConverter(typeof(PooledStringConverter))] string? Zone);

/// <summary>The error body of any 4xx/5xx: <c>{"error":{"code","message","errors":[...]}}</c>.</summary>
public sealed record ComputeErrorResponse(ComputeError? Error);

public sealed record ComputeError(int Code, string? Message, List<ComputeErrorItem>? Errors, string? Status);

public sealed record ComputeErrorItem(string? Message, string? Domain, string? Reason);
