namespace BuzzTalk.AppHost.Tests;

public sealed class ContainersStackFixture() : StackFixture(StackProfile.Containers);
