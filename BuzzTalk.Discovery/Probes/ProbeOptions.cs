namespace BuzzTalk.Discovery.Probes;

/// <summary>
/// Section <c>Probes</c>: named databases the blackbox exporter checks through
/// <c>/probe/mysql/{name}</c> and <c>/probe/redis/{name}</c>. Credentials live here (from
/// secrets or the environment), never in a URL or in Prometheus' configuration.
/// </summary>
public sealed class ProbeOptions
{
    public const string SectionName = "Probes";

    public Dictionary<string, ProbeTarget> MySql { get; set; } = new(StringComparer.Ordinal);

    public Dictionary<string, ProbeTarget> Redis { get; set; } = new(StringComparer.Ordinal);

    /// <summary>Upper bound of one probe, connecting included. Default 3 s.</summary>
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(3);
}
