namespace BuzzTalk.Discovery.Configuration;

public enum InstanceProviderKind
{
    /// <summary>Instances listed in configuration.</summary>
    Static,

    /// <summary>Instances listed in a JSON file, re-read on every refresh.</summary>
    File,

    /// <summary>Compute Engine: the whole project or one regional managed instance group.</summary>
    Gcp,
}
