using BuzzTalk.Fleet.Ssh;
using BuzzTalk.Fleet.Swarm;

namespace BuzzTalk.Scaler.Execution;

/// <summary>Which failures a sender's retry can cure, and which need a person.</summary>
public static class ScaleFailures
{
    /// <summary>
    /// False for a refusal that stays until someone acts: the host's key is not the pinned one, the
    /// login is rejected, a key or known_hosts file is missing, the engine refuses the request (4xx
    /// but a conflict). True for the rest: the host or Discovery unreachable, a connection dropped,
    /// a timeout, the engine failing (5xx).
    /// </summary>
    public static bool IsTransient(Exception exception)
    {
        for (var ex = exception; ex is not null; ex = ex.InnerException)
        {
            switch (ex)
            {
                case FileNotFoundException or DirectoryNotFoundException or UnauthorizedAccessException:
                case var refused when SshFailure.IsRefused(refused):
                    return false;
                case EngineApiException engine:
                    return engine.Response.Status is >= 500 or 409;
            }
        }

        return true;
    }
}
