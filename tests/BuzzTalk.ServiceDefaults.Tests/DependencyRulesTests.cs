using System.Xml.Linq;

namespace BuzzTalk.ServiceDefaults.Tests;

/// <summary>
/// The layering of the projects (README, Layout), checked on the <c>.csproj</c> files themselves:
/// a reference that breaks a rule fails here, with the rule's reason.
/// </summary>
public sealed class DependencyRulesTests
{
    private static readonly string[] s_services = ["BuzzTalk.Discovery", "BuzzTalk.Scaler", "BuzzTalk.Deployer", "BuzzTalk.Demo"];
    private static readonly string[] s_projects = [.. s_services, "BuzzTalk.AppHost", "BuzzTalk.Publishing", "BuzzTalk.Fleet", "BuzzTalk.ServiceDefaults"];

    /// <summary>(project, project it must not reference, why).</summary>
    public static IReadOnlyList<(string From, string To, string Why)> Rules { get; } =
    [
        .. s_projects.Where(p => p != "BuzzTalk.Fleet")
            .Select(p => ("BuzzTalk.Fleet", p, "Fleet is the shared library at the bottom: swarm, SSH and leases, no service and no model")),
        .. s_projects.Where(p => p != "BuzzTalk.ServiceDefaults")
            .Select(p => ("BuzzTalk.ServiceDefaults", p, "ServiceDefaults is what every service shares, and depends on none of them")),
        ("BuzzTalk.Scaler", "BuzzTalk.Deployer", "the Scaler and the Deployer are separate services that meet only on the swarm"),
        ("BuzzTalk.Deployer", "BuzzTalk.Scaler", "the Scaler and the Deployer are separate services that meet only on the swarm"),
        .. s_services.Where(s => s != "BuzzTalk.Discovery")
            .Select(s => (s, "BuzzTalk.Discovery", "services read Discovery over HTTP (/sd/targets), never its code")),
        .. s_services.SelectMany(s => new[] { (s, "BuzzTalk.AppHost", "a service never depends on the model that runs it"),
            (s, "BuzzTalk.Publishing", "a service never depends on the generators that publish it") }),
        ("BuzzTalk.Publishing", "BuzzTalk.AppHost", "the generators take the model's description, not the AppHost"),
    ];

    [Fact]
    public void No_project_reference_breaks_a_rule()
    {
        var violations = Violations(ProjectReferences(RepositoryRoot()));

        Assert.True(violations.Count == 0, string.Join("\n", violations));
    }

    [Fact]
    public void The_check_finds_a_broken_rule()
    {
        var graph = new Dictionary<string, IReadOnlyList<string>>
        {
            ["BuzzTalk.Fleet"] = ["BuzzTalk.Scaler"],
            ["BuzzTalk.Scaler"] = ["BuzzTalk.Fleet", "BuzzTalk.Deployer", "BuzzTalk.Discovery"],
            ["BuzzTalk.ServiceDefaults"] = ["BuzzTalk.Fleet"],
        };

        var violations = Violations(graph);

        Assert.Equal(4, violations.Count);
        Assert.Contains(violations, v => v.StartsWith("BuzzTalk.Fleet -> BuzzTalk.Scaler:", StringComparison.Ordinal));
        Assert.Contains(violations, v => v.StartsWith("BuzzTalk.ServiceDefaults -> BuzzTalk.Fleet:", StringComparison.Ordinal));
    }

    [Fact]
    public void Every_project_at_the_root_is_read()
    {
        var graph = ProjectReferences(RepositoryRoot());

        Assert.Superset(new HashSet<string>(s_projects), new HashSet<string>(graph.Keys));
        Assert.Contains("BuzzTalk.Fleet", graph["BuzzTalk.Deployer"]);
    }

    private static List<string> Violations(Dictionary<string, IReadOnlyList<string>> graph) =>
        [.. Rules.Where(r => graph.TryGetValue(r.From, out var references) && references.Contains(r.To))
            .Select(r => $"{r.From} -> {r.To}: {r.Why}")];

    /// <summary>Each root project's direct project references, by project name.</summary>
    private static Dictionary<string, IReadOnlyList<string>> ProjectReferences(string root) =>
        Directory.EnumerateFiles(root, "*.csproj", new EnumerationOptions { RecurseSubdirectories = true, MaxRecursionDepth = 1 })
            .Where(f => !f.Contains($"{Path.DirectorySeparatorChar}tests{Path.DirectorySeparatorChar}", StringComparison.Ordinal))
            .ToDictionary(
                f => Path.GetFileNameWithoutExtension(f),
                f => (IReadOnlyList<string>)[.. XDocument.Load(f).Descendants("ProjectReference")
                    .Select(r => Path.GetFileNameWithoutExtension(r.Attribute("Include")!.Value.Replace('\\', '/')))]);

    private static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "BuzzTalk.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("BuzzTalk.sln not found above " + AppContext.BaseDirectory);
    }
}
