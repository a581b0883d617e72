namespace BuzzTalk.Demo;

/// <summary>A scenario step that did not reach its goal; the message says which and why.</summary>
public sealed class DemoStepException(string message) : Exception(message);
