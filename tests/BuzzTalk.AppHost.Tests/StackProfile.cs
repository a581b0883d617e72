namespace BuzzTalk.AppHost.Tests;

/// <summary>The local profile a <see cref="StackHost"/> runs.</summary>
public enum StackProfile
{
    Processes,
    Containers,
}
