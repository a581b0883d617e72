namespace BuzzTalk.Discovery.Tests.Fakes;

/// <summary>
/// A Compute Engine VM as <see cref="FakeGcp"/> serves it (shape of <c>Reference/instance.get.json</c>).
/// <paramref name="Spot"/> gives the Spot scheduling block; <paramref name="ManagedGroupUrl"/> adds the
/// <c>created-by</c> (that value, verbatim) and <c>instance-template</c> metadata items that MIG members carry.
/// <paramref name="Labels"/> (default <c>env: test</c>), <paramref name="Tags"/> (default <c>http-server</c>),
/// <paramref name="MachineType"/> and further <paramref name="Metadata"/> items fill those fields of the VM.
/// </summary>
public sealed record FakeInstance(
    string Name,
    string Zone,
    string Id,
    string PrivateIp,
    string? NatIp,
    string Status = "RUNNING",
    bool Spot = false,
    string? ManagedGroupUrl = null,
    IReadOnlyDictionary<string, string>? Labels = null,
    IReadOnlyList<string>? Tags = null,
    string MachineType = "e2-micro",
    IReadOnlyDictionary<string, string>? Metadata = null);
