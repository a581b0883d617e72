using System.ComponentModel.DataAnnotations;
using BuzzTalk.AppHost.Runtime;
using BuzzTalk.Publishing.SpotFleet;

namespace BuzzTalk.AppHost.Configuration;

/// <summary>The AppHost's own settings, section <c>BuzzTalk</c>.</summary>
public sealed class BuzzTalkOptions
{
    public const string SectionName = "BuzzTalk";

    /// <summary>auto (default), containers or processes.</summary>
    public LocalRuntime LocalRuntime { get; set; } = LocalRuntime.Auto;

    /// <summary>
    /// Everything the local stack writes (MySQL and Redis data, generated configs) lives here.
    /// Relative paths are taken from the AppHost project directory. Default <c>.buzztalk</c>.
    /// </summary>
    [Required]
    public string StateDirectory { get; set; } = ".buzztalk";

    /// <summary>Backend replicas behind nginx; two by default so websocket fan-out crosses processes.</summary>
    [Range(1, 16)]
    public int BackendReplicas { get; set; } = 2;

    /// <summary>Host port of the frontend; unset picks a free one.</summary>
    [Range(1, 65535)]
    public int? FrontendPort { get; set; }

    /// <summary>Value of the backend's <c>DEBUG</c> variable.</summary>
    [RegularExpression("^(True|False)$", ErrorMessage = "BuzzTalk:Debug must be True or False.")]
    public string Debug { get; set; } = "True";

    [Required]
    public ImageOptions Images { get; set; } = new();

    /// <summary>
    /// A published bundle directory the deployer's dashboard commands roll out (relative to the
    /// AppHost project). Unset: "Deploy" answers that no bundle is configured.
    /// </summary>
    public string? DeployBundle { get; set; }

    /// <summary><c>aspire deploy</c>: how the published bundle is rolled out.</summary>
    public FleetDeployOptions Deploy { get; set; } = new();

    /// <summary>SSH access of the Scaler and the Deployer to the instances.</summary>
    public FleetSshOptions Fleet { get; set; } = new();

    /// <summary>This machine as a one-instance fleet; read only when <see cref="IsLocalFleet"/>.</summary>
    public LocalFleetOptions LocalFleet { get; set; } = new();

    /// <summary><c>BuzzTalk:Fleet=local</c>: the Scaler and the Deployer act on this machine's swarm over SSH.</summary>
    public bool IsLocalFleet { get; internal set; }

    /// <summary>A private MySQL over SSH instead of a local one (see <see cref="RemoteDatabaseOptions"/>).</summary>
    public RemoteDatabaseOptions RemoteDatabase { get; set; } = new();
}
