using BuzzTalk.Fleet.Inventory;

namespace BuzzTalk.Discovery.Configuration;

/// <summary>Section <c>Discovery</c>.</summary>
public sealed class DiscoveryOptions
{
    public const string SectionName = "Discovery";

    /// <summary>Where instances come from: <c>Gcp</c>, <c>Static</c> (this section's list) or <c>File</c>.</summary>
    public InstanceProviderKind Provider { get; set; } = InstanceProviderKind.Static;

    /// <summary>How often the provider is asked; instances appearing or vanishing show within one interval. Default 30 s.</summary>
    public TimeSpan RefreshInterval { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// Longest a refresh may list instances before it fails (a hanging or crawling API), whatever the per-call
    /// timeouts and retries add up to. Default 20 s; a refresh longer than the interval delays the next one.
    /// </summary>
    public TimeSpan RefreshTimeout { get; set; } = TimeSpan.FromSeconds(20);

    /// <summary>
    /// Where the last good inventory is kept across restarts (<c>inventory.json</c>). Default: systemd's
    /// <c>STATE_DIRECTORY</c> (the unit's <c>StateDirectory=</c>); unset, nothing is kept.
    /// </summary>
    public string? StateDirectory { get; set; } = DefaultStateDirectory();

    /// <summary>Consecutive failed refreshes after which the health check turns unhealthy. Default 3.</summary>
    public int UnhealthyAfterFailures { get; set; } = 3;

    /// <summary>
    /// Scrape jobs served at <c>/sd/targets/{job}</c> with the job's port on every target,
    /// e.g. <c>node-exporter: 9100</c>, <c>cadvisor: 8080</c>.
    /// </summary>
    public Dictionary<string, int> JobPorts { get; set; } = new(StringComparer.Ordinal)
    {
        ["node-exporter"] = 9100,
        ["cadvisor"] = 8080,
    };

    /// <summary>file_sd outputs; each is written atomically and only when its content changes.</summary>
    public FileSdOptions FileSd { get; set; } = new();

    /// <summary>The <c>Static</c> provider's instances.</summary>
    public List<FleetInstance> Instances { get; set; } = [];

    /// <summary>The <c>File</c> provider's JSON file: a list of instances, re-read on every refresh.</summary>
    public string? InstancesFile { get; set; }

    public GcpOptions Gcp { get; set; } = new();

    /// <summary>systemd passes <c>StateDirectory=</c> as an absolute path (several separated by colons).</summary>
    private static string? DefaultStateDirectory() =>
        Environment.GetEnvironmentVariable("STATE_DIRECTORY") is { Length: > 0 } directories ? directories.Split(':')[0] : null;
}
