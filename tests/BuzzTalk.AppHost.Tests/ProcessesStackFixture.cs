namespace BuzzTalk.AppHost.Tests;

public sealed class ProcessesStackFixture() : StackFixture(StackProfile.Processes);
