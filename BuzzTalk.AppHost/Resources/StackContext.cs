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

    /// <summary>Set only in the processes profile, where host executables run.</summary>
    public HostTools HostTools => Tools ?? throw new InvalidOperationException("Host tools are only located for the processes profile.");

    public string SamplesDirectory => Path.GetFullPath(Path.Combine(Builder.AppHostDirectory, "..", "samples"));
}
