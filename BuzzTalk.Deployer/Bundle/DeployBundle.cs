using System.Collections.ObjectModel;
using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace BuzzTalk.Deployer.Bundle;

/// <summary>
/// A published bundle directory, verified against its <c>SHA256SUMS</c> before anything in it is
/// trusted. Holds what a rollout needs: the stack's services, the stack name, a release id and the
/// files an instance gets.
/// </summary>
public sealed partial class DeployBundle
{
    public const string StackPath = "stack/docker-stack.yml";
    /// <summary>The edge's nginx config, installed on the host and reloaded (not a swarm config).</summary>
    public const string NginxPath = "nginx/nginx.conf";

    /// <summary>The SPA's nginx config: the frontend's swarm config, <c>&lt;stack&gt;_nginx_&lt;hash&gt;</c>.</summary>
    public const string SpaPath = "nginx/spa.conf";

    public const string ChecksumsPath = "SHA256SUMS";

    /// <summary>
    /// What every instance needs; the stack file finds the SPA config at <c>../nginx/spa.conf</c>, so
    /// the layout is kept. A bundle with a start order adds its wave files (<see cref="Files"/>).
    /// </summary>
    public static IReadOnlyList<string> InstanceFiles { get; } = [StackPath, NginxPath, SpaPath];

    private readonly Dictionary<string, BundleService> _byName;

    private DeployBundle(string directory, string releaseId, string stackName, IReadOnlyList<BundleService> services,
        IReadOnlyList<ServiceEnvFile> envFiles, ProbedConnections? probes, string? healthPath, IReadOnlyList<StartWave> startOrder,
        IReadOnlyDictionary<string, ReadOnlyMemory<byte>> files)
    {
        HealthPath = healthPath;
        StartOrder = startOrder;
        EnvFiles = envFiles;
        Probes = probes;
        Directory = directory;
        ReleaseId = releaseId;
        StackName = stackName;
        Services = services;
        Files = files;
        _byName = services.ToDictionary(s => s.Name, StringComparer.Ordinal);
    }

    /// <summary>Full path of the bundle directory.</summary>
    public string Directory { get; }

    /// <summary>First 12 hex digits of the SHA-256 of <c>SHA256SUMS</c>: the same files give the same id.</summary>
    public string ReleaseId { get; }

    /// <summary>
    /// The swarm stack name. Read from the nginx swarm config's name (<c>&lt;stack&gt;_nginx_&lt;hash&gt;</c>) in the
    /// stack file: it is machine-written by the same generator that names the stack, is covered by the
    /// checksums and is what swarm itself uses, whereas the README heading is prose that may be reworded.
    /// </summary>
    public string StackName { get; }

    /// <summary>The stack's services in file order.</summary>
    public IReadOnlyList<BundleService> Services { get; }

    /// <summary>The env files the stack's services read, which the Deployer renders from the operator's .env.</summary>
    public IReadOnlyList<ServiceEnvFile> EnvFiles { get; }

    /// <summary>What Discovery probes the app's MySQL and Redis by (<c>x-buzztalk: probes</c>); null in bundles from before it.</summary>
    public ProbedConnections? Probes { get; }

    /// <summary>
    /// The backend's health path through the instance's edge (<c>x-buzztalk: health</c>, e.g.
    /// <c>/backend/health</c>), which the health gate asks; null in bundles from before it.
    /// </summary>
    public string? HealthPath { get; }

    /// <summary>
    /// The waves the stack starts in (<c>x-buzztalk: start-order</c>), in order, before the whole
    /// stack file; empty when no service waits for another.
    /// </summary>
    public IReadOnlyList<StartWave> StartOrder { get; }

    /// <summary>Files to upload to an instance (relative path with forward slashes → exact bytes), ordinal order.</summary>
    public IReadOnlyDictionary<string, ReadOnlyMemory<byte>> Files { get; }

    /// <summary>Reads and verifies a bundle directory; throws <see cref="BundleInvalidException"/> on any problem.</summary>
    public static DeployBundle Load(string directory)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(directory);
        var root = Path.GetFullPath(directory);
        if (!System.IO.Directory.Exists(root))
        {
            throw new BundleInvalidException($"Bundle directory '{directory}' does not exist.");
        }

        // Presence first: the clearest message for a directory that is not a bundle at all.
        foreach (var required in new[] { ChecksumsPath, StackPath, NginxPath, SpaPath })
        {
            if (!File.Exists(FullPath(root, required)))
            {
                throw new BundleInvalidException($"Bundle file '{required}' is missing from '{directory}'.");
            }
        }

        var sums = File.ReadAllBytes(FullPath(root, ChecksumsPath));
        var expected = ParseChecksums(sums);
        foreach (var required in InstanceFiles)
        {
            if (!expected.ContainsKey(required))
            {
                throw new BundleInvalidException($"Bundle file '{required}' is not listed in {ChecksumsPath}, so it cannot be verified.");
            }
        }

        var contents = new Dictionary<string, byte[]>(StringComparer.Ordinal);
        foreach (var (path, hash) in expected)
        {
            var full = FullPath(root, path);
            if (!File.Exists(full))
            {
                throw new BundleInvalidException($"Bundle file '{path}' is listed in {ChecksumsPath} but missing.");
            }

            var bytes = File.ReadAllBytes(full);
            if (!Convert.ToHexStringLower(SHA256.HashData(bytes)).Equals(hash, StringComparison.Ordinal))
            {
                throw new BundleInvalidException($"Bundle file '{path}' does not match its {ChecksumsPath} checksum (changed after publish?).");
            }

            contents[path] = bytes;
        }

        var (services, stackName, envFiles, probes, healthPath, startOrder) = ReadStack(contents[StackPath], contents[SpaPath]);
        foreach (var wave in startOrder)
        {
            if (!contents.ContainsKey(wave.File))
            {
                throw new BundleInvalidException($"Start wave file '{wave.File}' ({StackExtension}: start-order) is not listed in {ChecksumsPath}, so it cannot be verified.");
            }
        }

        var files = new SortedDictionary<string, ReadOnlyMemory<byte>>(StringComparer.Ordinal);
        // The wave files travel with the release: the instance deploys them from its release directory.
        foreach (var path in InstanceFiles.Concat(startOrder.Select(w => w.File)))
        {
            files[path] = contents[path];
        }

        var releaseId = Convert.ToHexStringLower(SHA256.HashData(sums))[..12];
        return new DeployBundle(root, releaseId, stackName, services, envFiles, probes, healthPath, startOrder,
            new ReadOnlyDictionary<string, ReadOnlyMemory<byte>>(files));
    }

    /// <summary>The named services, in the order asked (each once); any name not in the stack is refused.</summary>
    public IReadOnlyList<BundleService> ServicesNamed(IEnumerable<string> names)
    {
        ArgumentNullException.ThrowIfNull(names);
        var result = new List<BundleService>();
        foreach (var name in names)
        {
            if (!_byName.TryGetValue(name, out var service))
            {
                throw new BundleInvalidException(
                    $"unknown service '{name}' (the stack has {string.Join(", ", Services.Select(s => s.Name))})");
            }

            if (!result.Contains(service))
            {
                result.Add(service);
            }
        }

        return result;
    }

    private static string FullPath(string root, string relative) => Path.Combine(root, relative.Replace('/', Path.DirectorySeparatorChar));

    private static Dictionary<string, string> ParseChecksums(byte[] sums)
    {
        string text;
        try
        {
            text = new UTF8Encoding(false, throwOnInvalidBytes: true).GetString(sums);
        }
        catch (DecoderFallbackException e)
        {
            throw new BundleInvalidException($"{ChecksumsPath} is not valid UTF-8.", e);
        }

        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        var lineNumber = 0;
        foreach (var line in text.Split('\n'))
        {
            lineNumber++;
            if (line.Length == 0)
            {
                continue;
            }

            // sha256sum writes "<hash>  <path>" (text mode) or "<hash> *<path>" (binary mode).
            var match = ChecksumLine().Match(line);
            if (!match.Success)
            {
                throw new BundleInvalidException($"{ChecksumsPath} line {lineNumber} is not '<sha256>  <path>'.");
            }

            var path = match.Groups["path"].Value;
            if (path.StartsWith('/') || path.Contains('\\', StringComparison.Ordinal) || path.Split('/').Any(p => p is "" or "." or ".."))
            {
                throw new BundleInvalidException($"{ChecksumsPath} line {lineNumber} names '{path}', which is not a plain relative path inside the bundle.");
            }

            if (!result.TryAdd(path, match.Groups["hash"].Value.ToLowerInvariant()))
            {
                throw new BundleInvalidException($"{ChecksumsPath} lists '{path}' twice.");
            }
        }

        if (result.Count == 0)
        {
            throw new BundleInvalidException($"{ChecksumsPath} lists no files.");
        }

        return result;
    }

    private static (IReadOnlyList<BundleService> Services, string StackName, IReadOnlyList<ServiceEnvFile> EnvFiles, ProbedConnections? Probes,
        string? HealthPath, IReadOnlyList<StartWave> StartOrder) ReadStack(
        byte[] stackBytes, byte[] spaBytes)
    {
        var root = Parse(stackBytes);
        if (Child(root, "services") is not YamlMappingNode servicesNode || servicesNode.Children.Count == 0)
        {
            throw new BundleInvalidException($"Bundle file '{StackPath}' has no services.");
        }

        var services = new List<BundleService>();
        foreach (var (key, value) in servicesNode.Children)
        {
            var name = (key as YamlScalarNode)?.Value;
            if (string.IsNullOrEmpty(name) || value is not YamlMappingNode service)
            {
                throw new BundleInvalidException($"Bundle file '{StackPath}' has a service that is not a named mapping.");
            }

            if (Child(service, "image") is not YamlScalarNode { Value: { Length: > 0 } image })
            {
                throw new BundleInvalidException($"Service '{name}' in '{StackPath}' has no image.");
            }

            var environment = Child(service, "environment") switch
            {
                null => [],
                YamlMappingNode map => map.Children.Keys.OfType<YamlScalarNode>().Select(k => k.Value ?? "").ToList(),
                // The list form: NAME=value.
                YamlSequenceNode list => list.Children.OfType<YamlScalarNode>().Select(i => (i.Value ?? "").Split('=')[0]).ToList(),
                _ => throw new BundleInvalidException($"Service '{name}' in '{StackPath}' has an environment that is neither a mapping nor a list."),
            };
            services.Add(new BundleService(name, image) { Environment = environment });
        }

        var envFiles = ReadEnvFiles(root, services);
        var probes = ReadProbes(root);
        var healthPath = ReadHealthPath(root);
        var startOrder = ReadStartOrder(root, services);

        var fromConfig = StackNameFromConfigs(root, spaBytes);
        // The publisher names the stack in the file itself (x-buzztalk: stack); older bundles only
        // through the nginx config's name.
        if (Child(root, StackExtension) is YamlMappingNode extension && Child(extension, "stack") is YamlScalarNode { Value: { } declared })
        {
            if (!StackPattern().IsMatch(declared))
            {
                throw new BundleInvalidException($"The stack name '{declared}' in '{StackPath}' is not a valid stack name.");
            }

            if (fromConfig is not null && fromConfig != declared)
            {
                throw new BundleInvalidException($"'{StackPath}' names stack '{declared}' but its nginx config belongs to '{fromConfig}'.");
            }

            return (services, declared, envFiles, probes, healthPath, startOrder);
        }

        return (services, fromConfig ?? throw new BundleInvalidException($"Bundle file '{StackPath}' does not name its stack ({StackExtension}: stack)."),
            envFiles, probes, healthPath, startOrder);
    }

    /// <summary>The stack file's top-level mapping.</summary>
    private static YamlMappingNode Parse(byte[] stackBytes)
    {
        var yaml = new YamlStream();
        try
        {
            using var reader = new StringReader(new UTF8Encoding(false, throwOnInvalidBytes: true).GetString(stackBytes));
            yaml.Load(reader);
        }
        catch (Exception e) when (e is YamlException or DecoderFallbackException)
        {
            throw new BundleInvalidException($"Bundle file '{StackPath}' is not valid YAML: {e.Message}", e);
        }

        if (yaml.Documents.Count != 1 || yaml.Documents[0].RootNode is not YamlMappingNode root)
        {
            throw new BundleInvalidException($"Bundle file '{StackPath}' must hold one YAML mapping.");
        }

        return root;
    }

    /// <summary>
    /// The backend's health path a stack file declares (<c>x-buzztalk: health</c>), validated as
    /// <see cref="Load"/> does; null when it declares none. For a recorded release's stack file,
    /// verified when it was deployed.
    /// </summary>
    public static string? HealthPathOf(byte[] stackFile)
    {
        ArgumentNullException.ThrowIfNull(stackFile);
        return ReadHealthPath(Parse(stackFile));
    }

    /// <summary>
    /// <c>x-buzztalk: health</c>: a path starting with <c>/</c>, appended to the health origin and
    /// passed to curl on the instance, hence no spaces, quotes or control characters.
    /// </summary>
    private static string? ReadHealthPath(YamlMappingNode root)
    {
        if (Child(root, StackExtension) is not YamlMappingNode extension || Child(extension, HealthKey) is not { } node)
        {
            return null;
        }

        return node is YamlScalarNode { Value: { } path } && HealthPathPattern().IsMatch(path)
            ? path
            : throw new BundleInvalidException(
                $"'{StackExtension}: {HealthKey}' in '{StackPath}' must be a path starting with '/' without spaces, quotes or control characters.");
    }

    /// <summary>The <c>x-buzztalk</c> key of the backend's health path.</summary>
    public const string HealthKey = "health";

    /// <summary><c>x-buzztalk: env-files</c>: per service, the variables its env file must and may hold.</summary>
    private static List<ServiceEnvFile> ReadEnvFiles(YamlMappingNode root, List<BundleService> services)
    {
        var result = new List<ServiceEnvFile>();
        if (Child(root, StackExtension) is not YamlMappingNode extension || Child(extension, "env-files") is not { } node)
        {
            return result;
        }

        if (node is not YamlMappingNode declared)
        {
            throw new BundleInvalidException($"'{StackExtension}: env-files' in '{StackPath}' must map services to their variables.");
        }

        foreach (var (key, value) in declared.Children)
        {
            var name = (key as YamlScalarNode)?.Value ?? "";
            var service = services.FirstOrDefault(s => s.Name == name)
                ?? throw new BundleInvalidException($"'{StackExtension}: env-files' in '{StackPath}' names '{name}', which is not a service of the stack.");
            if (value is not YamlMappingNode lists)
            {
                throw new BundleInvalidException($"'{StackExtension}: env-files: {name}' in '{StackPath}' must hold 'required' and 'optional' lists.");
            }

            result.Add(new ServiceEnvFile(name, Keys(lists, "required", name), Keys(lists, "optional", name), service.Environment));
        }

        return result;
    }

    /// <summary>
    /// <c>x-buzztalk: start-order</c>: a list of <c>{file, services}</c>, each file a
    /// <c>stack/start-&lt;k&gt;.yml</c> of the bundle (checked against the checksums by the caller)
    /// and each service one of the stack's. The names reach <c>docker</c> and remote paths, hence the strict patterns.
    /// </summary>
    private static List<StartWave> ReadStartOrder(YamlMappingNode root, List<BundleService> services)
    {
        var result = new List<StartWave>();
        if (Child(root, StackExtension) is not YamlMappingNode extension || Child(extension, "start-order") is not { } node)
        {
            return result;
        }

        const string where = $"'{StackExtension}: start-order' in '{StackPath}'";
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
    private static ProbedConnections? ReadProbes(YamlMappingNode root)
    {
        if (Child(root, StackExtension) is not YamlMappingNode extension || Child(extension, "probes") is not { } node)
        {
            return null;
        }

        string Name(string kind) =>
            node is YamlMappingNode map && Child(map, kind) is YamlScalarNode { Value: { } name } && ConnectionNamePattern().IsMatch(name)
                ? name
                : throw new BundleInvalidException($"'{StackExtension}: probes: {kind}' in '{StackPath}' must be a connection name of letters, digits and '_'.");

        return new ProbedConnections(Name("mysql"), Name("redis"));
    }

    private static List<string> Keys(YamlMappingNode lists, string kind, string service)
    {
        var node = Child(lists, kind);
        if (node is null)
        {
            return [];
        }

        var keys = (node as YamlSequenceNode)?.Children.Select(c => (c as YamlScalarNode)?.Value).ToList();
        if (keys is null || keys.Any(k => k is null || !VariablePattern().IsMatch(k)))
        {
            throw new BundleInvalidException($"'{StackExtension}: env-files: {service}: {kind}' in '{StackPath}' must be a list of variable names.");
        }

        return keys!;
    }

    /// <summary>Top-level compose extension field the publisher writes; docker ignores <c>x-</c> keys.</summary>
    public const string StackExtension = "x-buzztalk";

    private static string? StackNameFromConfigs(YamlMappingNode root, byte[] spaBytes)
    {
        var configs = Child(root, "configs") as YamlMappingNode;
        var nginxConfig = configs?.Children.Values.OfType<YamlMappingNode>()
            .FirstOrDefault(c => Child(c, "file") is YamlScalarNode { Value: { } file } && file.EndsWith("/" + SpaPath, StringComparison.Ordinal));
        if (nginxConfig is null || Child(nginxConfig, "name") is not YamlScalarNode { Value: { } configName })
        {
            return null;
        }

        var match = ConfigName().Match(configName);
        if (!match.Success)
        {
            throw new BundleInvalidException($"The nginx config name '{configName}' in '{StackPath}' is not '<stack>_nginx_<hash>'.");
        }

        // Swarm configs are immutable: a config edited without a new name would make the deploy fail.
        var hash = Convert.ToHexStringLower(SHA256.HashData(spaBytes))[..12];
        if (!match.Groups["hash"].Value.Equals(hash, StringComparison.Ordinal))
        {
            throw new BundleInvalidException($"The nginx config name '{configName}' in '{StackPath}' does not carry the hash of {SpaPath} ({hash}): republish the bundle.");
        }

        return match.Groups["stack"].Value;
    }

    private static YamlNode? Child(YamlMappingNode node, string key) =>
        node.Children.TryGetValue(new YamlScalarNode(key), out var value) ? value : null;

    [GeneratedRegex("^(?<hash>[0-9A-Fa-f]{64}) [ *](?<path>.+)$", RegexOptions.CultureInvariant)]
    private static partial Regex ChecksumLine();

    [GeneratedRegex("^[A-Za-z_][A-Za-z0-9_]*$", RegexOptions.CultureInvariant)]
    private static partial Regex VariablePattern();

    [GeneratedRegex(@"^stack/start-[0-9]{1,2}\.yml\z", RegexOptions.CultureInvariant)]
    private static partial Regex StartWaveFile();

    [GeneratedRegex("^[a-z0-9][a-z0-9_-]{0,30}$", RegexOptions.CultureInvariant)]
    private static partial Regex StackPattern();

    [GeneratedRegex("^(?<stack>[A-Za-z0-9][A-Za-z0-9_.-]*)_nginx_(?<hash>[0-9a-f]{12})$", RegexOptions.CultureInvariant)]
    private static partial Regex ConfigName();

    [GeneratedRegex(@"^/[^\s\p{C}'""`\\]*\z", RegexOptions.CultureInvariant)]
    private static partial Regex HealthPathPattern();

    /// <summary>A name systemd takes in a variable name (<c>ConnectionStrings__{name}</c>).</summary>
    [GeneratedRegex("^[A-Za-z_][A-Za-z0-9_]{0,63}$", RegexOptions.CultureInvariant)]
    private static partial Regex ConnectionNamePattern();
}
