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

    // Docker's own rule for service names, limited to 63 characters (a DNS label).
    [GeneratedRegex("^[a-zA-Z0-9][a-zA-Z0-9_.-]{0,62}$")]
    private static partial Regex ServicePattern();

    [GeneratedRegex(@"^[a-z0-9]+([._\-/:][a-z0-9]+)*(:[A-Za-z0-9_][A-Za-z0-9_.\-]{0,127})?(@sha256:[a-f0-9]{64})?$")]
    private static partial Regex ImagePattern();
}
