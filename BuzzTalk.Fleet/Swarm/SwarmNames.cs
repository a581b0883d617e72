using System.Text.RegularExpressions;

namespace BuzzTalk.Fleet.Swarm;

/// <summary>
/// Checks for every value that ends up in a docker command. Service names, images and counts can
/// come from alert webhooks: anything outside these shapes is refused before a command is built.
/// </summary>
public static partial class SwarmNames
{
    public const int MaxReplicas = 1000;

    public static bool IsServiceName(string? value) => value is not null && ServicePattern().IsMatch(value);

    public static string RequireServiceName(string? value) =>
        IsServiceName(value) ? value! : throw new ArgumentException($"'{value}' is not a valid swarm service name.", nameof(value));

    public static int RequireReplicas(int replicas) =>
        replicas is >= 0 and <= MaxReplicas ? replicas : throw new ArgumentOutOfRangeException(nameof(replicas), replicas, $"Replicas must be 0-{MaxReplicas}.");

    public static string RequireImage(string? value) =>
        value is not null && ImagePattern().IsMatch(value) ? value : throw new ArgumentException($"'{value}' is not a valid image reference.", nameof(value));

    public static bool IsImageTag(string? value) => value is not null && TagPattern().IsMatch(value);

    public static bool IsStackName(string? value) => value is not null && StackPattern().IsMatch(value);

    public static string RequireStackName(string? value) =>
        IsStackName(value) ? value! : throw new ArgumentException($"'{value}' is not a valid stack name.", nameof(value));

    public static string RequireEnvironmentName(string? value) =>
        value is not null && EnvironmentPattern().IsMatch(value) ? value : throw new ArgumentException($"'{value}' is not a valid environment variable name.", nameof(value));

    /// <summary>An absolute remote path of ordinary characters (no spaces, quotes or shell syntax).</summary>
    public static string RequireRemotePath(string? value) =>
        value is not null && RemotePathPattern().IsMatch(value) && !value.Split('/').Contains("..")
            ? value : throw new ArgumentException($"'{value}' is not an absolute path of [A-Za-z0-9._/-].", nameof(value));

    /// <summary>A container id as <c>docker ps --no-trunc</c> prints it (or a short prefix of one).</summary>
    public static string RequireContainerId(string? value) =>
        value is not null && ContainerIdPattern().IsMatch(value) ? value : throw new ArgumentException($"'{value}' is not a container id.", nameof(value));

    [GeneratedRegex("^[a-f0-9]{12,64}$")]
    private static partial Regex ContainerIdPattern();

    [GeneratedRegex(@"^[A-Za-z0-9_][A-Za-z0-9_.\-]{0,127}$")]
    private static partial Regex TagPattern();

    // Stack names prefix service names: keep them short and plain.
    [GeneratedRegex("^[a-z0-9][a-z0-9_-]{0,30}$")]
    private static partial Regex StackPattern();

    [GeneratedRegex("^[A-Za-z_][A-Za-z0-9_]{0,127}$")]
    private static partial Regex EnvironmentPattern();

    [GeneratedRegex("^/[A-Za-z0-9._/-]{0,1000}$")]
    private static partial Regex RemotePathPattern();

    // Docker's own rule for service names, limited to 63 characters (a DNS label).
    [GeneratedRegex("^[a-zA-Z0-9][a-zA-Z0-9_.-]{0,62}$")]
    private static partial Regex ServicePattern();

    [GeneratedRegex(@"^[a-z0-9]+([._\-/:][a-z0-9]+)*(:[A-Za-z0-9_][A-Za-z0-9_.\-]{0,127})?(@sha256:[a-f0-9]{64})?$")]
    private static partial Regex ImagePattern();
}
