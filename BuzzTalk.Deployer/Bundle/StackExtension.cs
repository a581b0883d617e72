using System.Text.RegularExpressions;
using YamlDotNet.RepresentationModel;

namespace BuzzTalk.Deployer.Bundle;

/// <summary>
/// The stack file's <c>x-buzztalk</c> mapping: what the publisher tells the Deployer beyond what
/// docker reads (the stack's name, env files, probes, health path, start waves), each key
/// validated as it is read. A stack file without the mapping (or with one that is not a mapping)
/// declares none of them.
/// </summary>
public sealed partial class StackExtension(YamlMappingNode root)
{
    /// <summary>Top-level compose extension field the publisher writes; docker ignores <c>x-</c> keys.</summary>
    public const string Name = "x-buzztalk";

    /// <summary>The <c>x-buzztalk</c> key of the backend's health path.</summary>
    public const string HealthKey = "health";

    private const string StackPath = DeployBundle.StackPath;

    private readonly YamlMappingNode? _extension = Child(root, Name) as YamlMappingNode;

    /// <summary><c>x-buzztalk: stack</c>: the stack's name as the publisher declares it; null when it declares none.</summary>
    public string? Stack()
    {
        if (Key("stack") is not YamlScalarNode { Value: { } declared })
        {
            return null;
        }

        return StackPattern().IsMatch(declared)
            ? declared
            : throw new BundleInvalidException($"The stack name '{declared}' in '{StackPath}' is not a valid stack name.");
    }

    /// <summary>
    /// <c>x-buzztalk: health</c>: a path starting with <c>/</c>, appended to the health origin and
    /// passed to curl on the instance, hence no spaces, quotes or control characters.
    /// </summary>
    public string? HealthPath()
    {
        if (Key(HealthKey) is not { } node)
        {
            return null;
        }

        return node is YamlScalarNode { Value: { } path } && HealthPathPattern().IsMatch(path)
            ? path
            : throw new BundleInvalidException(
                $"'{Name}: {HealthKey}' in '{StackPath}' must be a path starting with '/' without spaces, quotes or control characters.");
    }

    /// <summary><c>x-buzztalk: env-files</c>: per service, the variables its env file must and may hold.</summary>
    public List<ServiceEnvFile> EnvFiles(IReadOnlyList<BundleService> services)
    {
        var result = new List<ServiceEnvFile>();
        if (Key("env-files") is not { } node)
        {
            return result;
        }

        if (node is not YamlMappingNode declared)
        {
            throw new BundleInvalidException($"'{Name}: env-files' in '{StackPath}' must map services to their variables.");
        }

        foreach (var (key, value) in declared.Children)
        {
            var name = (key as YamlScalarNode)?.Value ?? "";
            var service = services.FirstOrDefault(s => s.Name == name)
                ?? throw new BundleInvalidException($"'{Name}: env-files' in '{StackPath}' names '{name}', which is not a service of the stack.");
            if (value is not YamlMappingNode lists)
            {
                throw new BundleInvalidException($"'{Name}: env-files: {name}' in '{StackPath}' must hold 'required' and 'optional' lists.");
            }

            result.Add(new ServiceEnvFile(name, Variables(lists, "required", name), Variables(lists, "optional", name), service.Environment));
        }

        return result;
    }

    /// <summary>
    /// <c>x-buzztalk: start-order</c>: a list of <c>{file, services}</c>, each file a
    /// <c>stack/start-&lt;k&gt;.yml</c> of the bundle (checked against the checksums by the caller)
    /// and each service one of the stack's. The names reach <c>docker</c> and remote paths, hence the strict patterns.
    /// </summary>
    public List<StartWave> StartOrder(IReadOnlyList<BundleService> services)
    {
        var result = new List<StartWave>();
        if (Key("start-order") is not { } node)
        {
            return result;
        }

        const string where = $"'{Name}: start-order' in '{StackPath}'";
        if (node is not YamlSequenceNode waves)
        {
            throw new BundleInvalidException($"{where} must be a list of waves ({{file, services}}).");
        }

        foreach (var item in waves.Children)
        {
            if (item is not YamlMappingNode wave || Child(wave, "file") is not YamlScalarNode { Value: { } file } || !StartWaveFile().IsMatch(file))
            {
                throw new BundleInvalidException($"{where}: each wave must name its file as stack/start-<n>.yml.");
            }

            if (result.Any(w => w.File == file))
            {
                throw new BundleInvalidException($"{where} names '{file}' twice.");
            }

            var names = (Child(wave, "services") as YamlSequenceNode)?.Children.Select(c => (c as YamlScalarNode)?.Value).ToList();
            if (names is null || names.Count == 0)
            {
                throw new BundleInvalidException($"{where}: wave '{file}' must list its services.");
            }

            foreach (var name in names)
            {
                if (name is null || !services.Any(s => s.Name == name))
                {
                    throw new BundleInvalidException($"{where}: wave '{file}' names '{name}', which is not a service of the stack.");
                }
            }

            result.Add(new StartWave(file, names!));
        }

        return result;
    }

    /// <summary><c>x-buzztalk: probes</c>: the connection names of MySQL and Redis, which become variable names on the ops host.</summary>
    public ProbedConnections? Probes()
    {
        if (Key("probes") is not { } node)
        {
            return null;
        }

        string ConnectionName(string kind) =>
            node is YamlMappingNode map && Child(map, kind) is YamlScalarNode { Value: { } name } && ConnectionNamePattern().IsMatch(name)
                ? name
                : throw new BundleInvalidException($"'{Name}: probes: {kind}' in '{StackPath}' must be a connection name of letters, digits and '_'.");

        return new ProbedConnections(ConnectionName("mysql"), ConnectionName("redis"));
    }

    /// <summary>The value under <paramref name="key"/> of a YAML mapping; null when the key is absent. The stack file's other readers use it too.</summary>
    internal static YamlNode? Child(YamlMappingNode node, string key) =>
        node.Children.TryGetValue(new YamlScalarNode(key), out var value) ? value : null;

    private YamlNode? Key(string key) => _extension is null ? null : Child(_extension, key);

    private static List<string> Variables(YamlMappingNode lists, string kind, string service)
    {
        var node = Child(lists, kind);
        if (node is null)
        {
            return [];
        }

        var keys = (node as YamlSequenceNode)?.Children.Select(c => (c as YamlScalarNode)?.Value).ToList();
        if (keys is null || keys.Any(k => k is null || !VariablePattern().IsMatch(k)))
        {
            throw new BundleInvalidException($"'{Name}: env-files: {service}: {kind}' in '{StackPath}' must be a list of variable names.");
        }

        return keys!;
    }

    [GeneratedRegex("^[A-Za-z_][A-Za-z0-9_]*$", RegexOptions.CultureInvariant)]
    private static partial Regex VariablePattern();

    [GeneratedRegex(@"^stack/start-[0-9]{1,2}\.yml\z", RegexOptions.CultureInvariant)]
    private static partial Regex StartWaveFile();

    [GeneratedRegex("^[a-z0-9][a-z0-9_-]{0,30}$", RegexOptions.CultureInvariant)]
    private static partial Regex StackPattern();

    [GeneratedRegex(@"^/[^\s\p{C}'""`\\]*\z", RegexOptions.CultureInvariant)]
    private static partial Regex HealthPathPattern();

    /// <summary>A name systemd takes in a variable name (<c>ConnectionStrings__{name}</c>).</summary>
    [GeneratedRegex("^[A-Za-z_][A-Za-z0-9_]{0,63}$", RegexOptions.CultureInvariant)]
    private static partial Regex ConnectionNamePattern();
}
