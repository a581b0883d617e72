namespace BuzzTalk.Discovery.Tests.Fakes;

/// <summary>A regional managed instance group: <paramref name="Paginated"/> is <c>listManagedInstancesResults: PAGINATED</c>.</summary>
internal sealed record FakeManagedGroup(IReadOnlyList<FakeManagedMember> Members, bool Paginated);
