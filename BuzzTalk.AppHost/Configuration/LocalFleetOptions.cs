using System.ComponentModel.DataAnnotations;

namespace BuzzTalk.AppHost.Configuration;

/// <summary>
/// Section <c>BuzzTalk:LocalFleet</c>, read when <c>BuzzTalk:Fleet=local</c>: this machine as a
/// one-instance spot group (its swarm, reached over SSH on loopback). A port left at 0 is picked
/// free at start.
/// </summary>
public sealed class LocalFleetOptions
{
    public const string SectionName = "BuzzTalk:LocalFleet";

    /// <summary>The value of <c>BuzzTalk:Fleet</c> that turns the local fleet on.</summary>
    public const string Mode = "local";

    /// <summary>The instance's name in Discovery's inventory.</summary>
    [RegularExpression("^[a-z]([-a-z0-9]{0,61}[a-z0-9])?$", ErrorMessage = "must be a lowercase instance name")]
    public string InstanceName { get; set; } = "local-1";

    [Range(0, 65535)]
    public int SshPort { get; set; }

    /// <summary>The instance's public port (the stack's frontend, host mode).</summary>
    [Range(0, 65535)]
    public int FrontendPort { get; set; }

    [Range(0, 65535)]
    public int NodeExporterPort { get; set; }

    [Range(0, 65535)]
    public int CadvisorPort { get; set; }

    /// <summary>The address the instance's containers reach this machine's MySQL and Redis at; empty = swarm's docker_gwbridge gateway.</summary>
    public string? HostAddress { get; set; }

    /// <summary>Most backend replicas the Scaler may run on the instance.</summary>
    [Range(1, 16)]
    public int BackendMaxReplicas { get; set; } = 3;

    /// <summary>The Scaler's own loop: how often it samples, and the window it averages over.</summary>
    public TimeSpan EvaluatorInterval { get; set; } = TimeSpan.FromSeconds(5);

    public TimeSpan EvaluatorWindow { get; set; } = TimeSpan.FromSeconds(30);

    public TimeSpan ScaleUpStabilization { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>How long usage must stay low before a replica is removed.</summary>
    public TimeSpan ScaleDownStabilization { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>After a scale, the Scaler ignores new pressure on that service for this long.</summary>
    public TimeSpan Cooldown { get; set; } = TimeSpan.FromSeconds(20);

    /// <summary>The demo scenario: <c>off</c>, <c>manual</c> (start it from the dashboard) or <c>run</c> (starts with the stack).</summary>
    public DemoMode Demo { get; set; } = DemoMode.Manual;

    /// <summary>Backend tags the demo deploys: a new version, then one that never turns healthy. Empty = the backend image's tag + <c>-v2</c> / <c>-broken</c>.</summary>
    public string? NextBackendTag { get; set; }

    public string? BrokenBackendTag { get; set; }

    /// <summary>How long the demo's load runs at most while it waits for the Scaler.</summary>
    public TimeSpan DemoLoadLimit { get; set; } = TimeSpan.FromMinutes(3);
}
