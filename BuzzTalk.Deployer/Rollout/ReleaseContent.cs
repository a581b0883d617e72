using System.Text.RegularExpressions;
using BuzzTalk.Deployer.Bundle;

namespace BuzzTalk.Deployer.Rollout;

/// <summary>
/// What a rollout puts on an instance: the release id, the stack's name, the files an instance
/// needs (stack file, nginx config) and each service's image as the stack file names it.
/// </summary>
public sealed partial record ReleaseContent(
    string ReleaseId,
    string StackName,
    IReadOnlyDictionary<string, byte[]> Files,
    IReadOnlyDictionary<string, string> ServiceImages)
{
    /// <summary>The env files the stack's services read (empty for a recorded release, whose rendered files are kept).</summary>
    public IReadOnlyList<ServiceEnvFile> EnvFiles { get; init; } = [];

    /// <summary>
    /// The waves the stack starts in before the whole stack file (empty for a recorded release: its
    /// services are on the instance already, so the whole stack is deployed at once).
    /// </summary>
    public IReadOnlyList<StartWave> StartOrder { get; init; } = [];

    /// <summary>The backend's health path through the edge (<c>x-buzztalk: health</c>); null when the release declares none.</summary>
    public string? HealthPath { get; init; }

    public const string StackPath = DeployBundle.StackPath;

    /// <summary>The instance's part of a loaded (checksum-verified) bundle.</summary>
    public static ReleaseContent From(DeployBundle bundle)
    {
        ArgumentNullException.ThrowIfNull(bundle);
        return new ReleaseContent(bundle.ReleaseId, bundle.StackName,
            bundle.Files.ToDictionary(f => f.Key, f => f.Value.ToArray(), StringComparer.Ordinal),
            bundle.Services.ToDictionary(s => s.Name, s => s.Image, StringComparer.Ordinal))
        {
            EnvFiles = bundle.EnvFiles,
            StartOrder = bundle.StartOrder,
            HealthPath = bundle.HealthPath,
        };
    }

    /// <summary>
    /// A recorded release: its archived instance files, and each service's image written as the
    /// stack file would name it with the recorded tag as the default (<c>repo:${VAR:-tag}</c>).
    /// </summary>
    public static ReleaseContent FromRecord(Releases.DesiredRelease record, IReadOnlyDictionary<string, byte[]> files, string stackName)
    {
        ArgumentNullException.ThrowIfNull(record);
        return new ReleaseContent(record.Release, stackName, files, record.Services.ToDictionary(s => s.Key, s =>
        {
            var tag = s.Value.Tag;
            var repository = s.Value.Image.EndsWith(":" + tag, StringComparison.Ordinal) ? s.Value.Image[..^(tag.Length + 1)] : s.Value.Image;
            return s.Value.TagVariable is { } variable ? $"{repository}:${{{variable}:-{tag}}}" : s.Value.Image;
        }, StringComparer.Ordinal))
        {
            // The archived stack file says what the release's health gate asks; without it (kept on the host), the caller reads it there.
            HealthPath = files.TryGetValue(StackPath, out var stack) ? DeployBundle.HealthPathOf(stack) : null,
        };
    }

    /// <summary>The stack variables and tags of a recorded release, passed to <c>docker stack deploy</c>.</summary>
    public static IReadOnlyDictionary<string, string> TagsOf(Releases.DesiredRelease record)
    {
        ArgumentNullException.ThrowIfNull(record);
        return record.Services.Values.Where(s => s.TagVariable is not null).ToDictionary(s => s.TagVariable!, s => s.Tag, StringComparer.Ordinal);
    }

    /// <summary>
    /// The image of a service with the given tag: the stack names images as
    /// <c>repo:${VAR:-default}</c>; the repository is kept and the tag replaced.
    /// </summary>
    public string ImageWithTag(string service, string tag)
    {
        if (!ServiceImages.TryGetValue(service, out var image))
        {
            throw new ArgumentException($"The stack has no service '{service}'.", nameof(service));
        }

        var match = TaggedImage().Match(image);
        var repository = match.Success ? match.Groups["repo"].Value : image;
        return $"{repository}:{tag}";
    }

    /// <summary>The image the stack file gives a service when no tag is passed (<c>${VAR:-default}</c> → default).</summary>
    public string DefaultImage(string service)
    {
        var image = ServiceImages.GetValueOrDefault(service) ?? throw new ArgumentException($"The stack has no service '{service}'.", nameof(service));
        var match = TaggedImage().Match(image);
        if (!match.Success || !match.Groups["var"].Success)
        {
            return image;
        }

        var fallback = match.Groups["default"].Success ? match.Groups["default"].Value : "latest";
        return $"{match.Groups["repo"].Value}:{fallback}";
    }

    /// <summary>The tag variable a service's image reads (<c>BACKEND_IMAGE_TAG</c>), if any.</summary>
    public string? TagVariable(string service) =>
        ServiceImages.TryGetValue(service, out var image) && TaggedImage().Match(image) is { Success: true } m && m.Groups["var"].Success
            ? m.Groups["var"].Value : null;

    [GeneratedRegex(@"^(?<repo>[^:${}]+(:[0-9]+/[^:${}]+)?)(:(\$\{(?<var>[A-Za-z_][A-Za-z0-9_]*)(:-(?<default>[^}]*))?\}|[A-Za-z0-9_][A-Za-z0-9_.\-]*))?$")]
    private static partial Regex TaggedImage();
}
