namespace BuzzTalk.Fleet.Swarm;

/// <summary>The Docker Engine API of a host refused a request.</summary>
public sealed class EngineApiException(string host, string request, EngineResponse response)
    : Exception($"docker engine on {host} answered {response.Status} to {request}: {response.Message}")
{
    public EngineResponse Response { get; } = response;
}
