using BuzzTalk.Discovery.Providers;

namespace BuzzTalk.Discovery.Tests.Refresh;

/// <summary>A provider whose next answer the test sets: a list, or an exception.</summary>
public sealed class ScriptedProvider : IInstanceProvider
{
    private Func<InstanceList> _next = () => InstanceList.Of([]);

    public string Name => "scripted";

    public int Calls { get; private set; }

    public void Returns(params DiscoveredInstance[] instances) => _next = () => InstanceList.Of(instances);

    public void Throws(Exception exception) => _next = () => throw exception;

    public Task<InstanceList> ListAsync(CancellationToken cancellationToken)
    {
        Calls++;
        return Task.FromResult(_next());
    }

    public static DiscoveredInstance Instance(string name, string ip) => new() { Name = name, PublicIp = ip };
}
