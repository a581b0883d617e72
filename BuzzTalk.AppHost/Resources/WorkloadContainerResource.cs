namespace BuzzTalk.AppHost.Resources;

/// <summary>A workload run from an image (the containers profile, and what is published).</summary>
public sealed class WorkloadContainerResource(string name) : ContainerResource(name), IWorkloadResource;
