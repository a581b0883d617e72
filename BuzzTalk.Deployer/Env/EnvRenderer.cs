using System.Globalization;
using System.Text;

namespace BuzzTalk.Deployer.Env;

/// <summary>
/// Turns the operator's <c>.env</c> into the files the hosts read, so no secret is ever baked into a
/// script or the bundle. Paths start with the host (<c>instance/</c>, <c>ops-host/</c>); the rest is the
/// path under <c>/etc/buzztalk</c> there, where the stack file (<c>BUZZTALK_ENV_DIR</c>), the systemd
/// units and the monitoring configuration look for them.
/// </summary>
public static class EnvRenderer
{
    /// <summary>Where the instance's env files go: <c>instance/env/&lt;service&gt;.env</c>.</summary>
    public const string InstanceEnvDirectory = "instance/env";
    public const string OpsHostScalerEnv = "ops-host/env/buzztalk-scaler.env";

    /// <summary>The ops host's Discovery: the connection strings of what it probes (<see cref="Bundle.ProbedConnections"/>).</summary>
    public const string OpsHostDiscoveryEnv = "ops-host/env/buzztalk-discovery.env";

    /// <summary>The ops host's Deployer settings: where it records the desired release (from <c>BUNDLE_BUCKET</c>).</summary>
    public const string OpsHostDeployerEnv = "ops-host/env/buzztalk-deployer.env";
    public const string OpsHostWebhookPassword = "ops-host/secrets/scaler-webhook-password";
    public const string OpsHostDiscordWebhookUrl = "ops-host/secrets/discord-webhook-url";
    public const string OpsHostGrafanaAdminPassword = "ops-host/secrets/grafana-admin-password";

    /// <summary>
    /// The user the Alertmanager and Grafana webhooks authenticate as at the Scaler, unless the .env
    /// sets <c>SCALER_WEBHOOK_USER</c>: the one value the AppHost, the publish and this renderer share.
    /// </summary>
    public const string DefaultWebhookUser = "alertmanager";

    /// <summary>The ops host's own keys, beside those the bundle's services read.</summary>
    private static readonly string[] OpsHostKeys = ["SCALER_WEBHOOK_PASSWORD", "SCALER_WEBHOOK_USER", "DISCORD_WEBHOOK_URL", "GRAFANA_ADMIN_PASSWORD", "BUNDLE_BUCKET"];

    private static readonly UTF8Encoding Utf8NoBom = new(encoderShouldEmitUTF8Identifier: false);

    /// <summary>
    /// Every file for every host: one env file per service the bundle declares
    /// (<paramref name="services"/>, from <see cref="Bundle.DeployBundle.EnvFiles"/>), and the ops
    /// host's files, with Discovery's connection strings when the bundle names its probes
    /// (<paramref name="probes"/>). Throws <see cref="EnvFileInvalidException"/> listing all problems at once.
    /// </summary>
    public static IReadOnlyList<RenderedFile> Render(EnvFile env, IReadOnlyList<Bundle.ServiceEnvFile> services, Bundle.ProbedConnections? probes = null)
    {
        ArgumentNullException.ThrowIfNull(env);
        ArgumentNullException.ThrowIfNull(services);
        var problems = new List<string>();
        var required = services.SelectMany(s => s.Required).Append("SCALER_WEBHOOK_PASSWORD").Distinct(StringComparer.Ordinal);
        var missing = required.Where(k => !env.Values.TryGetValue(k, out var v) || v.Length == 0).ToList();
        if (missing.Count > 0)
        {
            problems.Add($"missing required keys: {string.Join(", ", missing)}");
        }

        // The operator's values for the seed's well-known keys, checked where they are read.
        Check(env, "REDIS_URL", v => Uri.TryCreate(v, UriKind.Absolute, out var u) && u.Scheme is "redis" or "rediss" && u.Host.Length > 0,
            "must be a redis:// or rediss:// URI with a host", problems);
        Check(env, "MYSQL_DB_PORT", v => v.All(char.IsAsciiDigit) && int.TryParse(v, NumberStyles.None, CultureInfo.InvariantCulture, out var p) && p is >= 1 and <= 65535,
            "must be a port number 1-65535", problems);
        Check(env, "MYSQL_DB_HOST", v => Uri.CheckHostName(v) != UriHostNameType.Unknown,
            "must be a host name or IP address", problems);
        Check(env, "DISCORD_WEBHOOK_URL", v => Uri.TryCreate(v, UriKind.Absolute, out var u) && u.Scheme == Uri.UriSchemeHttps,
            "must be an absolute https URL", problems);
        Check(env, "SCALER_WEBHOOK_USER", v => !v.Contains(':', StringComparison.Ordinal),
            "must not contain ':' (HTTP basic user)", problems);

        var serviceFiles = new List<RenderedFile>();
        foreach (var service in services)
        {
            var variables = new List<(string Key, EnvEntry Entry)>();
            foreach (var key in service.Required.Concat(service.Optional))
            {
                if (env.TryGetEntry(key, out var entry) && entry.Value.Length > 0)
                {
                    variables.Add((key, entry));
                }
            }

            var prefix = service.PassThroughPrefix;
            foreach (var entry in env.Entries.Where(e => e.Key.StartsWith(prefix, StringComparison.Ordinal)))
            {
                var target = entry.Key[prefix.Length..];
                if (target.Length == 0 || char.IsAsciiDigit(target[0]))
                {
                    problems.Add($"line {Line(entry)}: {entry.Key} does not name a variable after '{prefix}'");
                }
                else if (service.StackOwned.Contains(target, StringComparer.Ordinal))
                {
                    problems.Add($"line {Line(entry)}: {entry.Key} would set {target}, which the stack file sets itself (it would be ignored)");
                }
                else if (variables.Any(b => b.Key == target))
                {
                    problems.Add($"line {Line(entry)}: {entry.Key} would set {target}, which is already set");
                }
                else
                {
                    variables.Add((target, entry));
                }
            }

            serviceFiles.Add(new($"{InstanceEnvDirectory}/{service.FileName}", DockerEnvFile(variables.Select(v => (v.Key, v.Entry.Value)))));
        }

        var user = env.Values.TryGetValue("SCALER_WEBHOOK_USER", out var u) && u.Length > 0 ? u : DefaultWebhookUser;
        var scaler = new List<(string Key, string Value)> { ("Scaler__Webhooks__Username", user) };
        AddIfSet(env, "SCALER_WEBHOOK_PASSWORD", "Scaler__Webhooks__Password", scaler);
        AddIfSet(env, "DISCORD_WEBHOOK_URL", "Scaler__Discord__WebhookUrl", scaler);

        Check(env, "BUNDLE_BUCKET", Configuration.GoogleNames.IsBucket,
            "must be a Cloud Storage bucket name", problems);

        // Both env-file formats take one line per variable, and secret files are read whole and often trimmed.
        foreach (var entry in env.Entries.Where(e => Rendered(e.Key, services) && e.Value.AsSpan().IndexOfAny('\n', '\r') >= 0))
        {
            problems.Add($"line {Line(entry)}: {entry.Key} contains a line break, which an env file cannot carry (Docker's env_file reads one line per variable)");
        }

        if (problems.Count > 0)
        {
            throw new EnvFileInvalidException("the .env cannot be rendered: " + string.Join("; ", problems));
        }

        var files = new List<RenderedFile>(serviceFiles)
        {
            new(OpsHostScalerEnv, SystemdEnvFile(scaler)),
            new(OpsHostWebhookPassword, env.Values["SCALER_WEBHOOK_PASSWORD"]),
        };
        if (env.Values.TryGetValue("DISCORD_WEBHOOK_URL", out var discord) && discord.Length > 0)
        {
            files.Add(new(OpsHostDiscordWebhookUrl, discord));
        }

        if (env.Values.TryGetValue("GRAFANA_ADMIN_PASSWORD", out var grafana) && grafana.Length > 0)
        {
            files.Add(new(OpsHostGrafanaAdminPassword, grafana));
        }

        if (probes is not null && DiscoveryConnections(env, probes) is { Count: > 0 } connections)
        {
            files.Add(new(OpsHostDiscoveryEnv, SystemdEnvFile(connections)));
        }

        // The bundle bucket turns on the desired release: every deploy records what booting instances run.
        var deployer = new List<(string Key, string Value)>();
        AddIfSet(env, "BUNDLE_BUCKET", "Deployer__Release__Bucket", deployer);
        if (deployer.Count > 0)
        {
            files.Add(new(OpsHostDeployerEnv, SystemdEnvFile(deployer)));
        }

        return files;
    }

    /// <summary>
    /// Writes the files under <paramref name="outputDirectory"/>: each to a 0600 temp file in its target
    /// directory, then renamed over the target, so a reader sees the old file or the new one and no one
    /// else can ever read it. Directories created here are 0700.
    /// </summary>
    public static async Task WriteAsync(string outputDirectory, IEnumerable<RenderedFile> files, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(outputDirectory);
        ArgumentNullException.ThrowIfNull(files);
        var root = Path.GetFullPath(outputDirectory);
        CreatePrivateDirectory(root);
        foreach (var file in files)
        {
            var parts = file.RelativePath.Split('/');
            if (file.RelativePath.StartsWith('/') || file.RelativePath.Contains('\\', StringComparison.Ordinal) || parts.Any(p => p is "" or "." or ".."))
            {
                throw new ArgumentException($"Rendered path '{file.RelativePath}' must be relative, with forward slashes and no '..'.", nameof(files));
            }

            var directory = root;
            foreach (var part in parts[..^1])
            {
                directory = Path.Combine(directory, part);
                CreatePrivateDirectory(directory);
            }

            var target = Path.Combine(directory, parts[^1]);
            var temp = Path.Combine(directory, $".{parts[^1]}.{Guid.NewGuid():N}.tmp");
            try
            {
                var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write, Share = FileShare.None };
                if (!OperatingSystem.IsWindows())
                {
                    options.UnixCreateMode = RenderedFile.SecretMode;
                }

                await using (var stream = new FileStream(temp, options))
                {
                    await stream.WriteAsync(Utf8NoBom.GetBytes(file.Content), cancellationToken).ConfigureAwait(false);
                    await stream.FlushAsync(cancellationToken).ConfigureAwait(false);
                    stream.Flush(flushToDisk: true);
                }

                if (!OperatingSystem.IsWindows())
                {
                    // Explicit, so the umask never decides; before the rename, so the target is never wider.
                    File.SetUnixFileMode(temp, file.Mode);
                }

                File.Move(temp, target, overwrite: true);
            }
            finally
            {
                if (File.Exists(temp))
                {
                    File.Delete(temp);
                }
            }
        }
    }

    /// <summary>
    /// Discovery probes the database and Redis the instances use, as the backends reach them:
    /// MySQL as a <c>mysql://</c> URI from the <c>MYSQL_DB_*</c> keys (user, password and database
    /// escaped, so no character of theirs can end a field), Redis as <c>REDIS_URL</c> itself.
    /// </summary>
    private static List<(string Key, string Value)> DiscoveryConnections(EnvFile env, Bundle.ProbedConnections probes)
    {
        string? Value(string key) => env.Values.TryGetValue(key, out var value) && value.Length > 0 ? value : null;
        var connections = new List<(string Key, string Value)>();
        if (Value("MYSQL_DB_HOST") is { } host && Value("MYSQL_DB_USER") is { } user && Value("MYSQL_DB_PASSWORD") is { } password)
        {
            // An IPv6 address is bracketed in a URI's authority.
            var authority = Uri.CheckHostName(host) == UriHostNameType.IPv6 ? $"[{host}]" : host;
            var port = Value("MYSQL_DB_PORT") ?? "3306";
            var database = Value("MYSQL_DB_NAME") is { } name ? Uri.EscapeDataString(name) : "";
            connections.Add(($"ConnectionStrings__{probes.MySql}",
                $"mysql://{Uri.EscapeDataString(user)}:{Uri.EscapeDataString(password)}@{authority}:{port}/{database}"));
        }

        if (Value("REDIS_URL") is { } redis)
        {
            connections.Add(($"ConnectionStrings__{probes.Redis}", redis));
        }

        return connections;
    }

    /// <summary>The instance's env files (name → content) as a deploy uploads them into the env directory.</summary>
    public static IReadOnlyDictionary<string, byte[]> InstanceEnvFiles(EnvFile env, IReadOnlyList<Bundle.ServiceEnvFile> services)
    {
        var prefix = InstanceEnvDirectory + "/";
        return Render(env, services)
            .Where(f => f.RelativePath.StartsWith(prefix, StringComparison.Ordinal))
            .ToDictionary(f => f.RelativePath[prefix.Length..], f => Utf8NoBom.GetBytes(f.Content), StringComparer.Ordinal);
    }

    /// <summary>Renders <paramref name="env"/> and writes the result.</summary>
    public static async Task<IReadOnlyList<RenderedFile>> WriteAsync(string outputDirectory, EnvFile env, IReadOnlyList<Bundle.ServiceEnvFile> services,
        Bundle.ProbedConnections? probes, CancellationToken cancellationToken = default)
    {
        var files = Render(env, services, probes);
        await WriteAsync(outputDirectory, files, cancellationToken).ConfigureAwait(false);
        return files;
    }

    private static void CreatePrivateDirectory(string path)
    {
        if (OperatingSystem.IsWindows())
        {
            Directory.CreateDirectory(path);
            return;
        }

        if (!Directory.Exists(path))
        {
            Directory.CreateDirectory(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }

        // CreateDirectory's mode is filtered by the umask; set it exactly.
        File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
    }

    private static bool Rendered(string key, IReadOnlyList<Bundle.ServiceEnvFile> services) =>
        OpsHostKeys.Contains(key, StringComparer.Ordinal)
        || services.Any(s => s.Required.Contains(key, StringComparer.Ordinal) || s.Optional.Contains(key, StringComparer.Ordinal)
            || key.StartsWith(s.PassThroughPrefix, StringComparison.Ordinal));

    private static void Check(EnvFile env, string key, Func<string, bool> valid, string rule, List<string> problems)
    {
        if (env.TryGetEntry(key, out var entry) && entry.Value.Length > 0 && !valid(entry.Value))
        {
            problems.Add($"line {Line(entry)}: {key} {rule}");
        }
    }

    private static void AddIfSet(EnvFile env, string key, string target, List<(string Key, string Value)> into)
    {
        if (env.Values.TryGetValue(key, out var value) && value.Length > 0)
        {
            into.Add((target, value));
        }
    }

    private static string Line(EnvEntry entry) => entry.LineNumber.ToString(CultureInfo.InvariantCulture);

    private const string Header = "# Written by buzztalk-deployer from the operator's .env. Do not edit: render again.\n";

    /// <summary>Docker's env_file: everything after the first '=' is the value, literally (no quotes, no escapes).</summary>
    private static string DockerEnvFile(IEnumerable<(string Key, string Value)> variables)
    {
        var text = new StringBuilder(Header);
        foreach (var (key, value) in variables)
        {
            text.Append(key).Append('=').Append(value).Append('\n');
        }

        return text.ToString();
    }

    /// <summary>
    /// systemd's EnvironmentFile (the Scaler's unit reads it): unlike Docker it strips quotes and
    /// backslashes, so values are single-quoted (literal there), or double-quoted with the characters
    /// systemd unescapes in every version (\ " ` $) escaped when the value holds a single quote.
    /// </summary>
    private static string SystemdEnvFile(IEnumerable<(string Key, string Value)> variables)
    {
        var text = new StringBuilder(Header);
        foreach (var (key, value) in variables)
        {
            text.Append(key).Append('=');
            if (!value.Contains('\'', StringComparison.Ordinal))
            {
                text.Append('\'').Append(value).Append('\'');
            }
            else
            {
                text.Append('"');
                foreach (var c in value)
                {
                    if (c is '\\' or '"' or '`' or '$')
                    {
                        text.Append('\\');
                    }

                    text.Append(c);
                }

                text.Append('"');
            }

            text.Append('\n');
        }

        return text.ToString();
    }
}
