using System.ComponentModel.DataAnnotations;

namespace BuzzTalk.Demo;

/// <summary>Section <c>Demo</c>: where the local fleet's services are, set by the AppHost.</summary>
public sealed class DemoOptions
{
    public const string SectionName = "Demo";

    /// <summary>The instance's public site (its nginx): the load goes through it.</summary>
    [Required]
    public Uri? SiteUrl { get; set; }

    [Required]
    public Uri? DeployerUrl { get; set; }

    [Required]
    public string DeployerUser { get; set; } = "";

    [Required]
    public string DeployerPassword { get; set; } = "";

    [Required]
    public Uri? ScalerUrl { get; set; }

    public string ScalerUser { get; set; } = "";

    public string ScalerPassword { get; set; } = "";

    [Required]
    public Uri? PrometheusUrl { get; set; }

    /// <summary>The instance's name in Discovery's inventory.</summary>
    [Required]
    public string Instance { get; set; } = "";

    /// <summary>The swarm service the load drives and the Scaler scales, e.g. <c>buzztalk_backend</c>.</summary>
    [Required]
    public string BackendService { get; set; } = "";

    /// <summary>
    /// The backend's health path through the site's nginx (the published model's, e.g.
    /// <c>/backend/health</c>): checked after the first deploy and part of the load.
    /// </summary>
    [Required]
    [RegularExpression(@"^/[^\s?#]*$")]
    public string BackendHealthPath { get; set; } = "";

    [Required]
    public string NextBackendTag { get; set; } = "";

    [Required]
    public string BrokenBackendTag { get; set; } = "";

    [Range(2, 16)]
    public int MaxBackendReplicas { get; set; } = 3;

    /// <summary>Concurrent requests the load keeps in flight.</summary>
    [Range(1, 64)]
    public int LoadConcurrency { get; set; } = 6;

    /// <summary>The longest the load may run while waiting for the Scaler to add a replica.</summary>
    public TimeSpan LoadLimit { get; set; } = TimeSpan.FromMinutes(3);

    /// <summary>The longest to wait, after the load stops, for the Scaler to remove the extra replicas.</summary>
    public TimeSpan ScaleDownLimit { get; set; } = TimeSpan.FromMinutes(3);

    /// <summary>How long the load may go on for the scaling alert to arrive through Alertmanager; zero = the alert is not awaited.</summary>
    public TimeSpan AlertLimit { get; set; } = TimeSpan.FromMinutes(3);

    /// <summary>The longest one deploy may take.</summary>
    public TimeSpan DeployLimit { get; set; } = TimeSpan.FromMinutes(8);

    /// <summary>Where the summary is written as JSON; unset = console only.</summary>
    public string? SummaryFile { get; set; }
}
