namespace BuzzTalk.AppHost.Resources;

/// <summary>The three BuzzTalk C# services, for what other resources wire to them.</summary>
public sealed record ControlServices(
    IResourceBuilder<ProjectResource> Discovery,
    IResourceBuilder<ProjectResource> Scaler,
    IResourceBuilder<ProjectResource> Deployer);
