using BuzzTalk.Fleet.Inventory;
using BuzzTalk.Fleet.Ssh;
using BuzzTalk.Scaler.Decisions;

namespace BuzzTalk.Scaler.Configuration;

/// <summary>Section <c>Scaler</c>.</summary>
public sealed class ScalerOptions
{
    public const string SectionName = "Scaler";

    /// <summary><c>TargetTracking</c> (default) or <c>Seed</c> for alerts that do not carry their own count.</summary>
    public DecisionMode Mode { get; set; } = DecisionMode.TargetTracking;

    /// <summary>
    /// Only these services are ever scaled, each within its bounds (e.g. <c>Scaler:Services:buzztalk_backend:Max</c>).
    /// Empty by default, so nothing is scaled until configured: configuration binding adds to a
    /// dictionary the class fills itself, so any default here would be scaled as well.
    /// </summary>
    public Dictionary<string, ServiceBounds> Services { get; set; } = new(StringComparer.Ordinal);

    /// <summary>Memory kept for the OS and docker when computing capacity (the seed: 106,000,000 bytes).</summary>
    public long InfraReservationBytes { get; set; } = 106_000_000;

    /// <summary>How long to wait for the new count to run after the engine accepted it. Default 60 s.</summary>
    public TimeSpan ConvergenceTimeout { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>How long a host's service list and node capacity are reused between alerts. Default 2 s.</summary>
    public TimeSpan FiguresTtl { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>Task polling interval while converging. Default 500 ms.</summary>
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromMilliseconds(500);

    /// <summary>After acting on a (host, service), pressure alerts for it are not acted on again for this long. Default 60 s.</summary>
    public TimeSpan Cooldown { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>Where each host keeps its deploy lease.</summary>
    public string LeaseDirectory { get; set; } = BuzzTalk.Fleet.Leases.DeployLease.DefaultDirectory;

    /// <summary>
    /// The docker command on the hosts, e.g. <c>["sudo", "docker"]</c>: its <c>system dial-stdio</c>
    /// carries the Engine API (<see cref="BuzzTalk.Fleet.Swarm.HostEngine"/>).
    /// </summary>
    public List<string> Docker { get; set; } = ["docker"];

    /// <summary>Append-only JSON-lines audit of every decision; unset keeps only the in-memory view.</summary>
    public string? AuditFile { get; set; }

    /// <summary>
    /// Where the decision state (cooldowns, stabilization windows, recent samples) is kept across
    /// restarts, in <c>decision-state.json</c>. Default: systemd's <c>STATE_DIRECTORY</c> (the
    /// published unit's <c>StateDirectory=</c>) when set; without either, the state is kept in memory only.
    /// </summary>
    public string? StateDirectory { get; set; }

    /// <summary><see cref="StateDirectory"/>, or the first of systemd's <c>STATE_DIRECTORY</c> paths, or null.</summary>
    public string? ResolvedStateDirectory() =>
        !string.IsNullOrWhiteSpace(StateDirectory) ? StateDirectory
        : Environment.GetEnvironmentVariable("STATE_DIRECTORY") is { Length: > 0 } systemd ? systemd.Split(':')[0]
        : null;

    public SshHostOptions Ssh { get; set; } = new();

    /// <summary>Discovery's http_sd URL (e.g. <c>http://discovery/sd/targets</c>); unset uses <see cref="Instances"/>.</summary>
    public Uri? DiscoveryUrl { get; set; }

    public List<FleetInstance> Instances { get; set; } = [];

    public TargetTrackingOptions TargetTracking { get; set; } = new();

    public EvaluatorOptions Evaluator { get; set; } = new();
}
