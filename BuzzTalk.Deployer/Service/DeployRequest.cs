namespace BuzzTalk.Deployer.Service;

/// <summary>Body of <c>POST /api/deploy</c>; every field optional (<see cref="FleetRollback"/> defaults to true).</summary>
public sealed record DeployRequest(string? Bundle, IReadOnlyList<string>? Services, string? ImageTag, int? Parallel, int? MaxFailures, bool? FleetRollback = null);
