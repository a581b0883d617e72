namespace BuzzTalk.AppHost.Tests;

/// <summary>
/// Tests that start the whole stack run one at a time and alone: two stacks on two cores
/// would only make each other slow.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class AppHostSerialGroup
{
    public const string Name = "AppHost";
}
