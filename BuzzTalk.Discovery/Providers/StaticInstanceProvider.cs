using BuzzTalk.Discovery.Configuration;
using Microsoft.Extensions.Options;

namespace BuzzTalk.Discovery.Providers;

/// <summary>The instances listed under <c>Discovery:Instances</c> (a local fleet, a fixed host).</summary>
public sealed class StaticInstanceProvider(IOptionsMonitor<DiscoveryOptions> options) : IInstanceProvider
{
    public string Name => "static";

    public Task<InstanceList> ListAsync(CancellationToken cancellationToken) =>
        Task.FromResult(InstanceValidator.ToInventory(options.CurrentValue.Instances, "Discovery:Instances"));
}
