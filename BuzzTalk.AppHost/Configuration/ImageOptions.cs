using System.ComponentModel.DataAnnotations;
using BuzzTalk.Publishing;

namespace BuzzTalk.AppHost.Configuration;

/// <summary>Images of the <c>containers</c> profile, section <c>BuzzTalk:Images</c>.</summary>
public sealed class ImageOptions
{
    [Required]
    public ContainerImage Backend { get; set; } = new("ghcr.io/buzz-talk/buzz-talk-backend", "latest");

    [Required]
    public ContainerImage Frontend { get; set; } = new("ghcr.io/buzz-talk/buzz-talk-frontend", "latest");

    [Required]
    public ContainerImage Redis { get; set; } = new("docker.io/library/redis", "7.4");

    [Required]
    public ContainerImage MySql { get; set; } = new("docker.io/library/mysql", "8.4");

    /// <summary>
    /// Published stack only: the nginx that owns each instance's port (the edge). Pinned: the
    /// stack never replaces it on a deploy of the app.
    /// </summary>
    [Required]
    public ContainerImage Edge { get; set; } = PublishSettings.DefaultEdgeImage;

    /// <summary>Published stack only (the instances' exporters); the local profiles do not run it.</summary>
    [Required]
    public ContainerImage NodeExporter { get; set; } = PublishSettings.DefaultNodeExporterImage;

    /// <summary>Published stack only, like <see cref="NodeExporter"/>.</summary>
    [Required]
    public ContainerImage Cadvisor { get; set; } = PublishSettings.DefaultCadvisorImage;

    /// <summary>The images the local <c>containers</c> profile runs.</summary>
    public IEnumerable<ContainerImage> All => [Backend, Frontend, Redis, MySql];
}
