namespace BuzzTalk.Deployer.Service;

/// <summary>Body of <c>POST /api/deploy</c>; every field optional.</summary>
public sealed record DeployRequest(string? Bundle, IReadOnlyList<string>? Services, string? ImageTag, int? Parallel, int? MaxFailures);
