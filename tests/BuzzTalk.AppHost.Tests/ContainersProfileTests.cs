namespace BuzzTalk.AppHost.Tests;

/// <summary>The same tests on containers, reached through <c>BuzzTalk:LocalRuntime=auto</c>.</summary>
[Collection(AppHostSerialGroup.Name)]
public sealed class ContainersProfileTests(ContainersStackFixture fixture) : StackProfileTests(fixture), IClassFixture<ContainersStackFixture>;
