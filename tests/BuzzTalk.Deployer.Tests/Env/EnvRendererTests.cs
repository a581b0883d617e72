using BuzzTalk.Deployer.Bundle;
using BuzzTalk.Deployer.Env;
using BuzzTalk.Deployer.Tests.Bundle;
using BuzzTalk.Testing;

namespace BuzzTalk.Deployer.Tests.Env;

/// <summary>The per-host files rendered from a .env, their validation and how they land on disk.</summary>
public sealed class EnvRendererTests
{
    private const string Minimal = """
        MYSQL_DB_NAME=buzz
        MYSQL_DB_USER=buzzuser
        MYSQL_DB_PASSWORD=db-pass-1
        MYSQL_DB_HOST=10.0.0.4
        MYSQL_DB_PORT=3307
        REDIS_URL=redis://:redis-pass@10.0.0.5:6379/0
        SCALER_WEBHOOK_PASSWORD=hook-pass
        """;

    /// <summary>What the real AppHost's published bundle says its services read, and what Discovery probes.</summary>
    private static readonly DeployBundle Published = LoadPublished();

    private static IReadOnlyList<ServiceEnvFile> Services => Published.EnvFiles;

    private static DeployBundle LoadPublished()
    {
        using var published = PublishedBundle.WriteAsync().GetAwaiter().GetResult();
        return DeployBundle.Load(published.Path);
    }

    private static Dictionary<string, RenderedFile> Render(string text) =>
        EnvRenderer.Render(EnvFile.Parse(text), Services, Published.Probes).ToDictionary(f => f.RelativePath, StringComparer.Ordinal);

    private static EnvFileInvalidException Refused(string text) =>
        Assert.Throws<EnvFileInvalidException>(() => EnvRenderer.Render(EnvFile.Parse(text), Services));

    [Fact]
    public void The_backend_env_holds_the_backend_variables_in_docker_syntax()
    {
        var files = Render(Minimal + "\nDJANGO_SECRET_KEY=dj \"quoted\" $x\nUNRELATED=1\n");

        var backend = files["instance/env/backend.env"];
        Assert.Equal("""
            # Written by buzztalk-deployer from the operator's .env. Do not edit: render again.
            MYSQL_DB_HOST=10.0.0.4
            MYSQL_DB_NAME=buzz
            MYSQL_DB_PASSWORD=db-pass-1
            MYSQL_DB_PORT=3307
            MYSQL_DB_USER=buzzuser
            REDIS_URL=redis://:redis-pass@10.0.0.5:6379/0
            DJANGO_SECRET_KEY=dj "quoted" $x

            """.Replace("\r", "", StringComparison.Ordinal), backend.Content);
        Assert.Equal("instance", backend.Host);
        Assert.Equal("env/backend.env", backend.HostPath);
        Assert.DoesNotContain("UNRELATED", backend.Content, StringComparison.Ordinal);
    }

    [Fact]
    public void The_ops_host_discovery_gets_the_connection_strings_of_what_the_bundle_says_it_probes()
    {
        Assert.Equal(new ProbedConnections("mysql", "redis"), Published.Probes);
        var hostile = Minimal.Replace("db-pass-1", "p;a,s@w:o%rd'$\"", StringComparison.Ordinal)
            .Replace("MYSQL_DB_HOST=10.0.0.4", "MYSQL_DB_HOST=fd00::4", StringComparison.Ordinal);

        var discovery = Render(hostile)["ops-host/env/buzztalk-discovery.env"];

        // systemd's EnvironmentFile; the password URI-escaped, so the URI parses back to it.
        Assert.Equal("""
            # Written by buzztalk-deployer from the operator's .env. Do not edit: render again.
            ConnectionStrings__mysql='mysql://buzzuser:p%3Ba%2Cs%40w%3Ao%25rd%27%24%22@[fd00::4]:3307/buzz'
            ConnectionStrings__redis='redis://:redis-pass@10.0.0.5:6379/0'

            """.Replace("\r", "", StringComparison.Ordinal), discovery.Content);
        Assert.Equal("ops-host", discovery.Host);
        var uri = new Uri("mysql://buzzuser:p%3Ba%2Cs%40w%3Ao%25rd%27%24%22@[fd00::4]:3307/buzz");
        Assert.Equal("p;a,s@w:o%rd'$\"", Uri.UnescapeDataString(uri.UserInfo.Split(':')[1]));
    }

    [Fact]
    public void A_bundle_that_names_no_probes_renders_no_discovery_file()
    {
        var files = EnvRenderer.Render(EnvFile.Parse(Minimal), Services, probes: null);

        Assert.DoesNotContain(files, f => f.RelativePath == EnvRenderer.OpsHostDiscoveryEnv);
    }

    [Fact]
    public void Backend_prefixed_keys_pass_through_without_the_prefix()
    {
        var backend = Render(Minimal + "\nBACKEND_SENTRY_DSN=https://x@sentry.example/1\nBACKEND_ALLOWED_HOSTS='*'\n")["instance/env/backend.env"];

        Assert.EndsWith("SENTRY_DSN=https://x@sentry.example/1\nALLOWED_HOSTS=*\n", backend.Content, StringComparison.Ordinal);
        Assert.DoesNotContain("BACKEND_", backend.Content, StringComparison.Ordinal);
    }

    [Fact]
    public void The_ops_host_gets_the_scaler_env_and_secret_files()
    {
        var files = Render(Minimal + "\nDISCORD_WEBHOOK_URL=https://discord.com/api/webhooks/1/abc\nGRAFANA_ADMIN_PASSWORD=gr'af$\"\n");

        Assert.Equal(
            ["instance/env/backend.env", "ops-host/env/buzztalk-scaler.env", "ops-host/secrets/scaler-webhook-password",
             "ops-host/secrets/discord-webhook-url", "ops-host/secrets/grafana-admin-password", "ops-host/env/buzztalk-discovery.env"],
            files.Keys);
        Assert.Equal("hook-pass", files["ops-host/secrets/scaler-webhook-password"].Content);
        Assert.Equal("https://discord.com/api/webhooks/1/abc", files["ops-host/secrets/discord-webhook-url"].Content);
        Assert.Equal("gr'af$\"", files["ops-host/secrets/grafana-admin-password"].Content);
        Assert.Equal("""
            # Written by buzztalk-deployer from the operator's .env. Do not edit: render again.
            Scaler__Webhooks__Username='alertmanager'
            Scaler__Webhooks__Password='hook-pass'
            Scaler__Discord__WebhookUrl='https://discord.com/api/webhooks/1/abc'

            """.Replace("\r", "", StringComparison.Ordinal), files["ops-host/env/buzztalk-scaler.env"].Content);
        Assert.All(files.Values, f => Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, f.Mode));
    }

    [Fact]
    public void The_bundle_bucket_turns_on_the_ops_host_deployers_desired_release_and_is_left_out_when_unset()
    {
        var files = Render(Minimal + "\nBUNDLE_BUCKET=acme-buzztalk\n");

        Assert.Equal("""
            # Written by buzztalk-deployer from the operator's .env. Do not edit: render again.
            Deployer__Release__Bucket='acme-buzztalk'

            """.Replace("\r", "", StringComparison.Ordinal), files[EnvRenderer.OpsHostDeployerEnv].Content);
        Assert.DoesNotContain(EnvRenderer.OpsHostDeployerEnv, Render(Minimal).Keys);
    }

    [Fact]
    public void Optional_ops_host_secrets_are_left_out_when_unset()
    {
        var files = Render(Minimal);

        Assert.DoesNotContain("ops-host/secrets/discord-webhook-url", files.Keys);
        Assert.DoesNotContain("ops-host/secrets/grafana-admin-password", files.Keys);
        Assert.DoesNotContain("Discord", files["ops-host/env/buzztalk-scaler.env"].Content, StringComparison.Ordinal);
    }

    [Fact]
    public void A_scaler_value_with_a_single_quote_is_double_quoted_with_systemd_escapes()
    {
        var scaler = Render(Minimal.Replace("hook-pass", "it's \"$`\\", StringComparison.Ordinal))["ops-host/env/buzztalk-scaler.env"];

        Assert.Contains("Scaler__Webhooks__Password=\"it's \\\"\\$\\`\\\\\"\n", scaler.Content, StringComparison.Ordinal);
    }

    [Fact]
    public void All_missing_required_keys_are_listed_at_once()
    {
        var e = Refused("MYSQL_DB_USER=buzzuser\nMYSQL_DB_PASSWORD=\n");

        Assert.Contains("missing required keys: MYSQL_DB_HOST, MYSQL_DB_NAME, MYSQL_DB_PASSWORD, MYSQL_DB_PORT, REDIS_URL, SCALER_WEBHOOK_PASSWORD", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("REDIS_URL", "http://:pw-secret@10.0.0.5:6379", "REDIS_URL must be a redis:// or rediss:// URI")]
    [InlineData("REDIS_URL", "pw-secret", "REDIS_URL must be a redis:// or rediss:// URI")]
    [InlineData("MYSQL_DB_PORT", "0", "MYSQL_DB_PORT must be a port number 1-65535")]
    [InlineData("MYSQL_DB_PORT", "65536", "MYSQL_DB_PORT must be a port number 1-65535")]
    [InlineData("MYSQL_DB_PORT", "+33", "MYSQL_DB_PORT must be a port number 1-65535")]
    [InlineData("MYSQL_DB_HOST", "db host", "MYSQL_DB_HOST must be a host name or IP address")]
    [InlineData("MYSQL_DB_HOST", "pw-secret/x", "MYSQL_DB_HOST must be a host name or IP address")]
    [InlineData("DISCORD_WEBHOOK_URL", "http://pw-secret.example/hook", "DISCORD_WEBHOOK_URL must be an absolute https URL")]
    [InlineData("BUNDLE_BUCKET", "gs://pw-secret", "BUNDLE_BUCKET must be a Cloud Storage bucket name")]
    public void Invalid_values_are_refused_by_key_never_by_value(string key, string value, string expected)
    {
        var lines = Minimal.Split('\n').Where(l => !l.StartsWith(key + "=", StringComparison.Ordinal)).Append($"{key}='{value}'");

        var e = Refused(string.Join('\n', lines));

        Assert.Contains(expected, e.Message, StringComparison.Ordinal);
        Assert.Contains("line ", e.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(value, e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("rediss://redis.internal:6380")]
    [InlineData("redis://10.0.0.5")]
    public void Redis_urls_with_either_scheme_are_accepted(string url)
    {
        Assert.Contains($"REDIS_URL={url}\n", Render(Minimal.Replace("redis://:redis-pass@10.0.0.5:6379/0", url, StringComparison.Ordinal))["instance/env/backend.env"].Content, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("MYSQL_DB_PASSWORD")]
    [InlineData("BACKEND_EXTRA")]
    [InlineData("SCALER_WEBHOOK_PASSWORD")]
    [InlineData("GRAFANA_ADMIN_PASSWORD")]
    public void A_value_with_a_newline_is_refused_not_mangled(string key)
    {
        var lines = Minimal.Split('\n').Where(l => !l.StartsWith(key + "=", StringComparison.Ordinal)).Append($"{key}=\"first\\nsecond-secret\"");

        var e = Refused(string.Join('\n', lines));

        Assert.Contains($"{key} contains a line break", e.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("second-secret", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_newline_in_a_key_that_is_not_rendered_is_no_problem()
    {
        Assert.NotEmpty(Render(Minimal + "\nNOTES=\"a\\nb\"\n"));
    }

    [Theory]
    [InlineData("BACKEND_MYSQL_DB_NAME=other", "BACKEND_MYSQL_DB_NAME would set MYSQL_DB_NAME, which is already set")]
    [InlineData("BACKEND_DEBUG=True", "BACKEND_DEBUG would set DEBUG, which the stack file sets itself")]
    [InlineData("BACKEND_=x", "BACKEND_ does not name a variable")]
    [InlineData("BACKEND_9X=x", "BACKEND_9X does not name a variable")]
    public void Pass_through_keys_that_would_be_ignored_or_collide_are_refused(string line, string expected)
    {
        Assert.Contains(expected, Refused(Minimal + "\n" + line).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Rendered_files_do_not_print_their_content()
    {
        var file = Render(Minimal)["ops-host/secrets/scaler-webhook-password"];

        Assert.Equal("ops-host/secrets/scaler-webhook-password (600)", file.ToString());
    }

    [Fact]
    public async Task Files_are_written_0600_in_0700_directories_and_replaced_atomically()
    {
        if (OperatingSystem.IsWindows())
        {
            return;
        }

        using var scratch = new ScratchDirectory();
        var output = Path.Combine(scratch.Path, "out");
        var env = EnvFile.Parse(Minimal);

        await EnvRenderer.WriteAsync(output, env, Services, Published.Probes);
        // A second render over the first: the rename replaces, the modes stay.
        File.SetUnixFileMode(Path.Combine(output, "instance", "env", "backend.env"), UnixFileMode.UserRead | UnixFileMode.OtherRead);
        var files = await EnvRenderer.WriteAsync(output, env, Services, Published.Probes);

        const UnixFileMode Dir = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;
        Assert.Equal(Dir, File.GetUnixFileMode(output));
        foreach (var dir in new[] { "instance", "instance/env", "ops-host", "ops-host/env", "ops-host/secrets" })
        {
            Assert.Equal(Dir, File.GetUnixFileMode(Path.Combine(output, dir)));
        }

        foreach (var file in files)
        {
            var path = Path.Combine(output, file.RelativePath);
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(path));
            Assert.Equal(file.Content, await File.ReadAllTextAsync(path));
        }

        Assert.Empty(Directory.EnumerateFiles(output, "*.tmp", SearchOption.AllDirectories));
    }

    [Fact]
    public async Task A_path_leaving_the_output_directory_is_refused()
    {
        using var scratch = new ScratchDirectory();

        await Assert.ThrowsAsync<ArgumentException>(() =>
            EnvRenderer.WriteAsync(scratch.Path, [new RenderedFile("../escape", "x")]));
        Assert.False(File.Exists(Path.Combine(scratch.Path, "..", "escape")));
    }
}
