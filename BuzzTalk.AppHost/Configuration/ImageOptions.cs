using System.ComponentModel.DataAnnotations;

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
    public ContainerImage Edge { get; set; } = new("docker.io/library/nginx", "1.27-alpine");

    /// <summary>Published stack only (the instances' exporters); the local profiles do not run it.</summary>
    [Required]
    public ContainerImage NodeExporter { get; set; } = new("quay.io/prometheus/node-exporter", "v1.8.2");

    /// <summary>Published stack only, like <see cref="NodeExporter"/>.</summary>
    [Required]
    public ContainerImage Cadvisor { get; set; } = new("gcr.io/cadvisor/cadvisor", "v0.49.1");

    /// <summary>The images the local <c>containers</c> profile runs.</summary>
    public IEnumerable<ContainerImage> All => [Backend, Frontend, Redis, MySql];
}
