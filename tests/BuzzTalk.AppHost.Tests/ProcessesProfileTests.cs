namespace BuzzTalk.AppHost.Tests;

/// <summary>The stack's tests on Debian executables.</summary>
[Collection(AppHostSerialGroup.Name)]
public sealed class ProcessesProfileTests(ProcessesStackFixture fixture) : StackProfileTests(fixture), IClassFixture<ProcessesStackFixture>;
