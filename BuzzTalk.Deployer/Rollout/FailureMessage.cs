using BuzzTalk.Fleet.Swarm;

namespace BuzzTalk.Deployer.Rollout;

/// <summary>What a report says of an exception: docker's own words when docker failed.</summary>
internal static class FailureMessage
{
    public static string Of(Exception ex) => ex switch
    {
        SwarmCommandException swarm => $"docker failed ({swarm.Result.ExitCode}): {swarm.Result.Error.Trim()}",
        _ => ex.Message,
    };
}
