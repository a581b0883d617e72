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
    public const string InstanceBackendEnv = "instance/env/backend.env";
    public const string OpsHostScalerEnv = "ops-host/env/buzztalk-scaler.env";

    /// <summary>The ops host's Deployer settings: where it records the desired release (from <c>BUNDLE_BUCKET</c>).</summary>
    public const string OpsHostDeployerEnv = "ops-host/env/buzztalk-deployer.env";
    public const string OpsHostWebhookPassword = "ops-host/secrets/scaler-webhook-password";
    public const string OpsHostDiscordWebhookUrl = "ops-host/secrets/discord-webhook-url";
    public const string OpsHostGrafanaAdminPassword = "ops-host/secrets/grafana-admin-password";

    /// <summary>Prefix of extra backend variables; <c>BACKEND_FOO=1</c> becomes <c>FOO=1</c> in <c>backend.env</c>.</summary>
    public const string BackendPrefix = "BACKEND_";

    /// <summary>The publish default for the Alertmanager/Grafana webhook user (OpsHostSettings.ScalerWebhookUser).</summary>
    public const string DefaultWebhookUser = "alertmanager";

    public static IReadOnlyList<string> BackendKeys { get; } =
        ["MYSQL_DB_NAME", "MYSQL_DB_USER", "MYSQL_DB_PASSWORD", "MYSQL_DB_HOST", "MYSQL_DB_PORT", "REDIS_URL", "DJANGO_SECRET_KEY"];

    /// <summary>Keys without which nothing can be rendered (an empty value counts as missing).</summary>
    public static IReadOnlyList<string> RequiredKeys { get; } =
        ["MYSQL_DB_NAME", "MYSQL_DB_USER", "MYSQL_DB_PASSWORD", "MYSQL_DB_HOST", "REDIS_URL", "SCALER_WEBHOOK_PASSWORD"];

    // The stack file's own `environment:` wins over env_file, so a pass-through of these would be silently ignored.
    private static readonly string[] StackOwnedKeys = ["DB_ENGINE", "DEBUG", "FRONT", "BUZZTALK_REPLICA"];

    private static readonly UTF8Encoding Utf8NoBom = new(encoderShouldEmitUTF8Identifier: false);

    /// <summary>Every file for every host; throws <see cref="EnvFileInvalidException"/> listing all problems at once.</summary>
    public static IReadOnlyList<RenderedFile> Render(EnvFile env)
    {
        ArgumentNullException.ThrowIfNull(env);
        var problems = new List<string>();
        var missing = RequiredKeys.Where(k => !env.Values.TryGetValue(k, out var v) || v.Length == 0).ToList();
        if (missing.Count > 0)
        {
            problems.Add($"missing required keys: {string.Join(", ", missing)}");
        }

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

        var backend = new List<(string Key, EnvEntry Entry)>();
        foreach (var key in BackendKeys)
        {
            if (env.TryGetEntry(key, out var entry) && entry.Value.Length > 0)
            {
                backend.Add((key, entry));
            }
        }

        foreach (var entry in env.Entries.Where(e => e.Key.StartsWith(BackendPrefix, StringComparison.Ordinal)))
        {
            var target = entry.Key[BackendPrefix.Length..];
            if (target.Length == 0 || char.IsAsciiDigit(target[0]))
            {
                problems.Add($"line {Line(entry)}: {entry.Key} does not name a variable after '{BackendPrefix}'");
            }
            else if (StackOwnedKeys.Contains(target, StringComparer.Ordinal))
            {
                problems.Add($"line {Line(entry)}: {entry.Key} would set {target}, which the stack file sets itself (it would be ignored)");
            }
            else if (backend.Any(b => b.Key == target))
            {
                problems.Add($"line {Line(entry)}: {entry.Key} would set {target}, which is already set");
            }
            else
            {
                backend.Add((target, entry));
            }
        }

        var user = env.Values.TryGetValue("SCALER_WEBHOOK_USER", out var u) && u.Length > 0 ? u : DefaultWebhookUser;
        var scaler = new List<(string Key, string Value)> { ("Scaler__Webhooks__Username", user) };
        AddIfSet(env, "SCALER_WEBHOOK_PASSWORD", "Scaler__Webhooks__Password", scaler);
        AddIfSet(env, "DISCORD_WEBHOOK_URL", "Scaler__Discord__WebhookUrl", scaler);

        Check(env, "BUNDLE_BUCKET", Configuration.GoogleNames.IsBucket,
            "must be a Cloud Storage bucket name", problems);

        // Both env-file formats take one line per variable, and secret files are read whole and often trimmed.
        foreach (var entry in env.Entries.Where(e => Rendered(e.Key) && e.Value.AsSpan().IndexOfAny('\n', '\r') >= 0))
        {
            problems.Add($"line {Line(entry)}: {entry.Key} contains a line break, which an env file cannot carry (Docker's env_file reads one line per variable)");
        }

        if (problems.Count > 0)
        {
            throw new EnvFileInvalidException("the .env cannot be rendered: " + string.Join("; ", problems));
        }

        var files = new List<RenderedFile>
        {
            new(InstanceBackendEnv, DockerEnvFile(backend.Select(b => (b.Key, b.Entry.Value)))),
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

    /// <summary>The instance's env files (name → content) as a deploy uploads them into the env directory.</summary>
    public static IReadOnlyDictionary<string, byte[]> InstanceEnvFiles(EnvFile env)
    {
        var prefix = Path.GetDirectoryName(InstanceBackendEnv) + "/";
        return Render(env)
            .Where(f => f.RelativePath.StartsWith(prefix, StringComparison.Ordinal))
            .ToDictionary(f => f.RelativePath[prefix.Length..], f => Utf8NoBom.GetBytes(f.Content), StringComparer.Ordinal);
    }

    /// <summary>Renders <paramref name="env"/> and writes the result.</summary>
    public static async Task<IReadOnlyList<RenderedFile>> WriteAsync(string outputDirectory, EnvFile env, CancellationToken cancellationToken = default)
    {
        var files = Render(env);
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

    private static bool Rendered(string key) =>
        BackendKeys.Contains(key, StringComparer.Ordinal) || key.StartsWith(BackendPrefix, StringComparison.Ordinal)
        || key is "SCALER_WEBHOOK_PASSWORD" or "SCALER_WEBHOOK_USER" or "DISCORD_WEBHOOK_URL" or "GRAFANA_ADMIN_PASSWORD" or "BUNDLE_BUCKET";

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
