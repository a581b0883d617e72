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

    public IEnumerable<ContainerImage> All => [Backend, Frontend, Redis, MySql];
}
