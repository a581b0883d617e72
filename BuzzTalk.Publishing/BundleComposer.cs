using System.Security.Cryptography;
using System.Text;
using BuzzTalk.Publishing.Monitoring;
using BuzzTalk.Publishing.OpsHost;
using BuzzTalk.Publishing.Stack;
using BuzzTalk.Publishing.Startup;
using BuzzTalk.Publishing.Terraform;

namespace BuzzTalk.Publishing;

/// <summary>
/// Puts the whole bundle together from its generators, checks every path, and adds
/// <c>SHA256SUMS</c> so a host (and the Deployer's plan) can tell exactly what changed.
/// </summary>
public static class BundleComposer
{
    public const string ChecksumsPath = "SHA256SUMS";

    /// <summary>The bundle's top-level folders; a publish replaces each of them whole.</summary>
    public static IReadOnlyList<string> OwnedFolders { get; } = ["stack", "nginx", "startup", "terraform", "monitoring", "ops-host"];

    public static IReadOnlyList<BundleFile> Compose(PublishSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        var files = new List<BundleFile>();
        files.AddRange(StackFileGenerator.Generate(settings));
        files.AddRange(TerraformGenerator.Generate(settings));
        files.AddRange(MonitoringGenerator.Generate(settings));
        files.AddRange(StartupScriptsGenerator.Generate(settings));
        files.AddRange(OpsHostUnitsGenerator.Generate(settings));
        files.Add(BundleReadme.Generate(settings, files));

        foreach (var file in files)
        {
            Check(file);
        }

        var duplicate = files.GroupBy(f => f.Path, StringComparer.Ordinal).FirstOrDefault(g => g.Count() > 1);
        if (duplicate is not null)
        {
            throw new InvalidOperationException($"Two bundle generators write {duplicate.Key}.");
        }

        var ordered = files.OrderBy(f => f.Path, StringComparer.Ordinal).ToList();
        ordered.Add(new BundleFile(ChecksumsPath, Checksums(ordered)));
        return ordered;
    }

    /// <summary>Lines in <c>sha256sum</c>'s format, so <c>sha256sum -c SHA256SUMS</c> checks a copy.</summary>
    public static string Checksums(IEnumerable<BundleFile> files)
    {
        var text = new StringBuilder();
        foreach (var file in files.OrderBy(f => f.Path, StringComparer.Ordinal))
        {
            text.Append(Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(file.Content))))
                .Append("  ").Append(file.Path).Append('\n');
        }

        return text.ToString();
    }

    private static void Check(BundleFile file)
    {
        var path = file.Path;
        if (path.Length == 0 || path.StartsWith('/') || path.Contains('\\', StringComparison.Ordinal)
            || path.Split('/').Any(part => part is "" or "." or ".."))
        {
            throw new InvalidOperationException($"Bundle path '{path}' must be relative, with forward slashes and no '..'.");
        }

        if (path.Contains('/', StringComparison.Ordinal) && !OwnedFolders.Contains(path[..path.IndexOf('/', StringComparison.Ordinal)]))
        {
            throw new InvalidOperationException($"Bundle path '{path}' is outside the bundle's folders ({string.Join(", ", OwnedFolders)}).");
        }

        if (file.Content.Contains('\r', StringComparison.Ordinal) || (file.Content.Length > 0 && !file.Content.EndsWith('\n')))
        {
            throw new InvalidOperationException($"Bundle file '{path}' must use LF line endings and end with a newline.");
        }
    }
}
