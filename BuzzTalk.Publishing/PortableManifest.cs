using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace BuzzTalk.Publishing;

/// <summary>
/// Aspire writes project and bind-mount paths relative to the output directory, so the manifest
/// would change with where it is published and spell out the publishing machine's folders.
/// Rewritten relative to the repository root, it is the same wherever it is written.
/// </summary>
public static class PortableManifest
{
    private static readonly string[] PathProperties = ["path", "source", "workingDirectory"];

    public static async Task RewriteAsync(string manifestPath, string repositoryRoot, CancellationToken cancellationToken)
    {
        var text = await File.ReadAllTextAsync(manifestPath, cancellationToken).ConfigureAwait(false);
        var rewritten = Rewrite(text, Path.GetDirectoryName(Path.GetFullPath(manifestPath))!, repositoryRoot);
        await File.WriteAllTextAsync(manifestPath, rewritten, new UTF8Encoding(false), cancellationToken).ConfigureAwait(false);
    }

    public static string Rewrite(string manifestJson, string manifestDirectory, string repositoryRoot)
    {
        var root = JsonNode.Parse(manifestJson) ?? throw new InvalidOperationException("The Aspire manifest is empty.");
        Visit(root, manifestDirectory, Path.GetFullPath(repositoryRoot));
        return root.ToJsonString(new JsonSerializerOptions { WriteIndented = true }).Replace("\r\n", "\n", StringComparison.Ordinal) + "\n";
    }

    private static void Visit(JsonNode node, string manifestDirectory, string repositoryRoot)
    {
        switch (node)
        {
            case JsonObject obj:
                foreach (var (key, value) in obj.ToList())
                {
                    if (value is JsonValue v && PathProperties.Contains(key) && v.TryGetValue<string>(out var path) && LooksRelativePath(path))
                    {
                        var full = Path.GetFullPath(Path.Combine(manifestDirectory, path));
                        obj[key] = Path.GetRelativePath(repositoryRoot, full).Replace('\\', '/');
                    }
                    else if (value is not null)
                    {
                        Visit(value, manifestDirectory, repositoryRoot);
                    }
                }

                break;
            case JsonArray array:
                foreach (var item in array)
                {
                    if (item is not null)
                    {
                        Visit(item, manifestDirectory, repositoryRoot);
                    }
                }

                break;
        }
    }

    private static bool LooksRelativePath(string value) =>
        value.Length > 0 && !Path.IsPathRooted(value) && !value.Contains('{', StringComparison.Ordinal)
        && (value.StartsWith("..", StringComparison.Ordinal) || value.Contains('/', StringComparison.Ordinal));
}
