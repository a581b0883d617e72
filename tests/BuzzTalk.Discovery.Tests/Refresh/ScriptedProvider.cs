using BuzzTalk.Discovery.Providers;
using BuzzTalk.Fleet.Inventory;

namespace BuzzTalk.Discovery.Tests.Refresh;

/// <summary>A provider whose next answer the test sets: a list, or an exception.</summary>
public sealed class ScriptedProvider : IInstanceProvider
{
    private Func<IReadOnlyList<FleetInstance>> _next = () => [];

    public string Name => "scripted";

    public int Calls { get; private set; }

    public void Returns(params FleetInstance[] instances) => _next = () => instances;

    public void Throws(Exception exception) => _next = () => throw exception;

    public Task<IReadOnlyList<FleetInstance>> ListAsync(CancellationToken cancellationToken)
    {
        Calls++;
        return Task.FromResult(_next());
    }

    public static FleetInstance Instance(string name, string ip) => new() { Name = name, PublicIp = ip };
}
