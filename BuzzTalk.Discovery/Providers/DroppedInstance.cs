namespace BuzzTalk.Discovery.Providers;

/// <summary>An instance left out of the inventory because of invalid data, and why (<see cref="DropReasons"/>).</summary>
public sealed record DroppedInstance(string Zone, string Name, string Reason, string Detail);
