using BuzzTalk.Fleet.Ssh;

namespace BuzzTalk.Fleet.Swarm;

/// <summary>A docker command on a host exited non-zero.</summary>
public sealed class SwarmCommandException(string host, RemoteResult result)
    : Exception($"docker on {host} exited {result.ExitCode}: {result.Error.Trim()}")
{
    public RemoteResult Result { get; } = result;
}
