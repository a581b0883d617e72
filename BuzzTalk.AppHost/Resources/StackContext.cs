using BuzzTalk.AppHost.Configuration;
using BuzzTalk.AppHost.Runtime;

namespace BuzzTalk.AppHost.Resources;

/// <summary>What every resource of the stack is built from.</summary>
public sealed record StackContext(
    IDistributedApplicationBuilder Builder,
    BuzzTalkOptions Options,
    LocalRuntimeChoice Runtime,
    StateDirectory State,
    HostTools? Tools,
    StackParameters Parameters)
{
    public bool IsProcesses => Runtime.Runtime == LocalRuntime.Processes;

    /// <summary>Set with <c>BuzzTalk:Fleet=local</c>: this machine's swarm as the one instance.</summary>
    public BuzzTalk.AppHost.LocalFleet.LocalFleetLayout? LocalFleet { get; init; }

    /// <summary>Where the local data services listen: loopback, plus the address the local fleet's containers reach.</summary>
    public IReadOnlyList<string> ListenAddresses => LocalFleet is { } fleet ? ["127.0.0.1", fleet.HostAddress] : ["127.0.0.1"];

    /// <summary>Publishing describes the cloud: nothing is written to the local state directory.</summary>
    public bool IsPublish => Builder.ExecutionContext.IsPublishMode;

    /// <summary>Set only in the processes profile, where host executables run.</summary>
    public HostTools HostTools => Tools ?? throw new InvalidOperationException("Host tools are only located for the processes profile.");

    public string SamplesDirectory => Path.GetFullPath(Path.Combine(Builder.AppHostDirectory, "..", "samples"));

    /// <summary>
    /// Data that must outlive the container: a bind mount into the state directory when running,
    /// a named volume in the published model (the cloud has no local state directory).
    /// </summary>
    public IResourceBuilder<ContainerResource> WithData(IResourceBuilder<ContainerResource> container, string name, string target) =>
        IsPublish
            ? container.WithVolume($"buzztalk-{name}", target)
            : container.WithBindMount(State.Directory(name), target);
}
