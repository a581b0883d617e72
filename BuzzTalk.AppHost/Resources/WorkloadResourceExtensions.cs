using BuzzTalk.Publishing;

namespace BuzzTalk.AppHost.Resources;

/// <summary>Adds the stack's workloads as <see cref="IWorkloadResource"/>, as <c>AddExecutable</c> and <c>AddContainer</c> would.</summary>
public static class WorkloadResourceExtensions
{
    public static IResourceBuilder<WorkloadProcessResource> AddWorkloadProcess(this IDistributedApplicationBuilder builder, string name, string command,
        string workingDirectory, params string[] args) =>
        builder.AddResource(new WorkloadProcessResource(name, command, workingDirectory)).WithArgs(args);

    public static IResourceBuilder<WorkloadContainerResource> AddWorkloadContainer(this IDistributedApplicationBuilder builder, string name, ContainerImage image) =>
        builder.AddResource(new WorkloadContainerResource(name)).WithImage(image.Image).WithImageTag(image.Tag);
}
