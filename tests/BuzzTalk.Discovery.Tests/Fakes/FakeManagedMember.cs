namespace BuzzTalk.Discovery.Tests.Fakes;

/// <summary>
/// A member of a regional managed instance group (a <c>ManagedInstance</c>). A member whose VM does not exist
/// yet has <paramref name="Id"/> and <paramref name="InstanceStatus"/> null: those keys are then absent, and
/// with <paramref name="CurrentAction"/> <c>CREATING</c> it carries a <c>lastAttempt</c> error, as in
/// <c>Reference/regionInstanceGroupManagers.listManagedInstances.json</c>.
/// </summary>
public sealed record FakeManagedMember(string Name, string Zone, string? Id, string? InstanceStatus, string CurrentAction = "NONE");
