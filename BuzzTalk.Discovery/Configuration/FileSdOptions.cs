namespace BuzzTalk.Discovery.Configuration;

/// <summary>Section <c>Discovery:FileSd</c>: where to write Prometheus file_sd files. Unset = not written.</summary>
public sealed class FileSdOptions
{
    /// <summary>JSON output, e.g. <c>/etc/prometheus/file_sd/gcp_instances.json</c>.</summary>
    public string? JsonPath { get; set; }

    /// <summary>YAML output, e.g. <c>/etc/prometheus/file_sd/gcp_instances.yml</c> (the seed's file).</summary>
    public string? YamlPath { get; set; }
}
