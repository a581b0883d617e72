namespace BuzzTalk.Deployer.Service;

/// <summary>Body of <c>POST /api/rollback</c>; no services = every service with a previous spec.</summary>
public sealed record RollbackRequest(IReadOnlyList<string>? Services);
