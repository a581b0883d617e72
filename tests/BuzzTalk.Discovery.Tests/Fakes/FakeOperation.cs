namespace BuzzTalk.Discovery.Tests.Fakes;

/// <summary>
/// A zone operation as <see cref="FakeGcp"/> serves it in <c>globalOperations.aggregatedList</c>, such as the
/// <c>compute.instances.preempted</c> system event Compute Engine records when it preempts a VM
/// (<see cref="FakeGcp.Preempt"/>) on <paramref name="TargetName"/> in <paramref name="Zone"/>. Values are sent as
/// given, so a test can serve a malformed one: <paramref name="TargetId"/> null leaves the <c>targetId</c> key out,
/// <paramref name="InsertTime"/> null the <c>insertTime</c>, <c>startTime</c> and <c>endTime</c> keys.
/// </summary>
public sealed record FakeOperation(
    string Zone,
    string Name,
    string TargetName,
    string? TargetId,
    DateTimeOffset? InsertTime,
    string OperationType = FakeOperation.Preempted)
{
    public const string Preempted = "compute.instances.preempted";
}
