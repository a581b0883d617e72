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
                throw new BundleInvalidException($"Start wave file '{wave.File}' ({StackExtension.Name}: start-order) is not listed in {ChecksumsPath}, so it cannot be verified.");
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
        if (StackExtension.Child(root, "services") is not YamlMappingNode servicesNode || servicesNode.Children.Count == 0)
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

            if (StackExtension.Child(service, "image") is not YamlScalarNode { Value: { Length: > 0 } image })
            {
                throw new BundleInvalidException($"Service '{name}' in '{StackPath}' has no image.");
            }

            var environment = StackExtension.Child(service, "environment") switch
            {
                null => [],
                YamlMappingNode map => map.Children.Keys.OfType<YamlScalarNode>().Select(k => k.Value ?? "").ToList(),
                // The list form: NAME=value.
                YamlSequenceNode list => list.Children.OfType<YamlScalarNode>().Select(i => (i.Value ?? "").Split('=')[0]).ToList(),
                _ => throw new BundleInvalidException($"Service '{name}' in '{StackPath}' has an environment that is neither a mapping nor a list."),
            };
            services.Add(new BundleService(name, image) { Environment = environment });
        }

        var extension = new StackExtension(root);
        var envFiles = extension.EnvFiles(services);
        var probes = extension.Probes();
        var healthPath = extension.HealthPath();
        var startOrder = extension.StartOrder(services);

        var fromConfig = StackNameFromConfigs(root, spaBytes);
        // The publisher names the stack in the file itself (x-buzztalk: stack); older bundles only
        // through the nginx config's name.
        if (extension.Stack() is { } declared)
        {
            if (fromConfig is not null && fromConfig != declared)
            {
                throw new BundleInvalidException($"'{StackPath}' names stack '{declared}' but its nginx config belongs to '{fromConfig}'.");
            }

            return (services, declared, envFiles, probes, healthPath, startOrder);
        }

        return (services, fromConfig ?? throw new BundleInvalidException($"Bundle file '{StackPath}' does not name its stack ({StackExtension.Name}: stack)."),
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
        return new StackExtension(Parse(stackFile)).HealthPath();
    }

    private static string? StackNameFromConfigs(YamlMappingNode root, byte[] spaBytes)
    {
        var configs = StackExtension.Child(root, "configs") as YamlMappingNode;
        var nginxConfig = configs?.Children.Values.OfType<YamlMappingNode>()
            .FirstOrDefault(c => StackExtension.Child(c, "file") is YamlScalarNode { Value: { } file } && file.EndsWith("/" + SpaPath, StringComparison.Ordinal));
        if (nginxConfig is null || StackExtension.Child(nginxConfig, "name") is not YamlScalarNode { Value: { } configName })
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

    [GeneratedRegex("^(?<hash>[0-9A-Fa-f]{64}) [ *](?<path>.+)$", RegexOptions.CultureInvariant)]
    private static partial Regex ChecksumLine();

    [GeneratedRegex("^(?<stack>[A-Za-z0-9][A-Za-z0-9_.-]*)_nginx_(?<hash>[0-9a-f]{12})$", RegexOptions.CultureInvariant)]
    private static partial Regex ConfigName();
}
