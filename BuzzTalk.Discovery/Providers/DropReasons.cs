namespace BuzzTalk.Discovery.Providers;

/// <summary>Values of the <c>reason</c> attribute of <c>buzztalk.discovery.instances.dropped</c>.</summary>
public static class DropReasons
{
    public const string InvalidPublicIp = "invalid_public_ip";
    public const string InvalidPrivateIp = "invalid_private_ip";
    public const string NoName = "no_name";
    public const string Duplicate = "duplicate";

    /// <summary>Compute Engine preempted the instance; counted once, when the preemption watch takes it out.</summary>
    public const string Preempted = "preempted";
}
