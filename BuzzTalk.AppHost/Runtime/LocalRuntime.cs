namespace BuzzTalk.AppHost.Runtime;

/// <summary>How the local stack runs its infrastructure and workload.</summary>
public enum LocalRuntime
{
    /// <summary>Containers when an engine answers and every image is present, else processes.</summary>
    Auto,

    /// <summary>Images on a Docker or Podman engine.</summary>
    Containers,

    /// <summary>Host executables from Debian packages.</summary>
    Processes,
}
