namespace BuzzTalk.Deployer.Tests;

/// <summary>
/// Tests that run the Deployer's service in this process take turns: its meter is named
/// <c>BuzzTalk.Deployer</c> in every host, so one service stopping (its meter disposed) would take
/// the instruments of that name out of another running service's <c>/metrics</c>.
/// </summary>
[CollectionDefinition(Name)]
public sealed class DeployerServiceGroup
{
    public const string Name = "Deployer service";
}
