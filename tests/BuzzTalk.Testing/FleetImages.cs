namespace BuzzTalk.Testing;

/// <summary>
/// The local images from <c>eng/build-images.sh</c> (cached by content): the backend's
/// reference, the tags of the update variants, and the images as AppHost arguments.
/// </summary>
/// <param name="BackendV2Tag">The tag of the backend's v2 variant (same repository), for backend deploys.</param>
/// <param name="BackendBrokenTag">The tag of a backend that never turns healthy, for deploys that must roll back.</param>
/// <param name="Arguments">The local fleet's images (<c>BuzzTalk:Images:*</c>).</param>
/// <param name="ContainersProfileArguments">The images of the local <c>containers</c> profile.</param>
public sealed record FleetImages(
    string Backend,
    string BackendV2Tag,
    string BackendBrokenTag,
    IReadOnlyList<string> Arguments,
    IReadOnlyList<string> ContainersProfileArguments)
{
    public static async Task<FleetImages> BuildAsync(CancellationToken cancellationToken)
    {
        var root = RepositoryRoot.Path;
        var output = await ToolRun.RunCheckedAsync(Path.Combine(root, "eng", "build-images.sh"), root, "--env");
        cancellationToken.ThrowIfCancellationRequested();
        // The output mixes in the script's progress lines (stderr); only KEY=value lines count.
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var pair in output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(l => l.Split('=', 2)))
        {
            if (pair.Length == 2 && pair[0].Length > 0 && pair[0].All(c => char.IsAsciiLetterUpper(c) || char.IsAsciiDigit(c) || c == '_'))
            {
                values[pair[0]] = pair[1];
            }
        }

        List<string> Options(params (string Option, string Key)[] images)
        {
            var arguments = new List<string>();
            foreach (var (option, key) in images)
            {
                var reference = values.GetValueOrDefault(key) is { Length: > 0 } value
                    ? value
                    : throw new InvalidOperationException($"eng/build-images.sh printed no {key}:\n{output}");
                var colon = reference.LastIndexOf(':');
                arguments.AddRange([$"--BuzzTalk:Images:{option}:Image", reference[..colon], $"--BuzzTalk:Images:{option}:Tag", reference[(colon + 1)..]]);
            }

            return arguments;
        }

        return new FleetImages(values["BACKEND_IMAGE"], values["BACKEND_V2_TAG"], values["BACKEND_BROKEN_TAG"],
            Options(("Backend", "BACKEND_IMAGE"), ("Frontend", "FRONTEND_IMAGE"), ("Edge", "EDGE_IMAGE"), ("NodeExporter", "NODE_EXPORTER_IMAGE"), ("Cadvisor", "CADVISOR_IMAGE")),
            Options(("Backend", "BACKEND_IMAGE"), ("Frontend", "FRONTEND_IMAGE"), ("Redis", "REDIS_IMAGE"), ("MySql", "MYSQL_IMAGE")));
    }
}
