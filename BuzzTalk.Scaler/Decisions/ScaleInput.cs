namespace BuzzTalk.Scaler.Decisions;

/// <summary>One service on one host at decision time.</summary>
/// <param name="Active">Replicas running now.</param>
/// <param name="Usage">Mean usage per replica as a fraction of its limit (the higher of CPU and memory).</param>
/// <param name="Min">Fewest replicas allowed for the service.</param>
/// <param name="Max">Most replicas allowed for the service.</param>
/// <param name="HostCapacity">Most replicas the host's CPU and memory can hold (<see cref="CapacityMath"/>).</param>
public sealed record ScaleInput(int Active, double Usage, int Min, int Max, int HostCapacity);
