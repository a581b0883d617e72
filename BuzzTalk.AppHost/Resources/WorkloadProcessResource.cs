namespace BuzzTalk.AppHost.Resources;

/// <summary>A workload run as a host process (the processes profile).</summary>
public sealed class WorkloadProcessResource(string name, string command, string workingDirectory)
    : ExecutableResource(name, command, workingDirectory), IWorkloadResource;
