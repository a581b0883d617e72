using System.ComponentModel.DataAnnotations;

namespace BuzzTalk.Publishing;

/// <summary>An image reference split the way <c>AddContainer(name, image, tag)</c> takes it.</summary>
public sealed class ContainerImage
{
    public ContainerImage()
    {
    }

    public ContainerImage(string image, string tag)
    {
        Image = image;
        Tag = tag;
    }

    [Required]
    [RegularExpression(@"^[a-z0-9]+([._\-/:][a-z0-9]+)*$", ErrorMessage = "Image names are lower-case registry/path references.")]
    public string Image { get; set; } = "";

    [Required]
    [RegularExpression(@"^[A-Za-z0-9_][A-Za-z0-9_.\-]{0,127}$", ErrorMessage = "Image tags are up to 128 of [A-Za-z0-9_.-].")]
    public string Tag { get; set; } = "latest";

    public override string ToString() => $"{Image}:{Tag}";
}
