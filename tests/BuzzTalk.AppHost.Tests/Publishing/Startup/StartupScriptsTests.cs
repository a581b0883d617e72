using System.Formats.Tar;
using System.IO.Compression;
using System.Runtime.Versioning;
using BuzzTalk.AppHost.Configuration;
using BuzzTalk.AppHost.Publish;
using BuzzTalk.Publishing;
using BuzzTalk.Publishing.SpotFleet;
using BuzzTalk.Publishing.Startup;
using BuzzTalk.Testing;

namespace BuzzTalk.AppHost.Tests.Publishing.Startup;

[SupportedOSPlatform("linux")]
public sealed class StartupScriptsTests : IDisposable
{
    private const string Bucket = "acme-buzztalk";
    private const string RegistryPassword = "ghp_S3cr3tRegistryPassw0rd-do-not-print";

    private static readonly PublishSettings s_settings = PublishedModel.Settings("http://203.0.113.10");

    private readonly ScratchDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    private static string Script(string path) => StartupScriptsGenerator.Generate(s_settings).Single(f => f.Path == path).Content;

    private string WriteScript(string path, string? content = null)
    {
        var file = Path.Combine(_dir.Path, Path.GetFileName(path));
        File.WriteAllText(file, content ?? Script(path));
        return file;
    }

    [Theory]
    [InlineData(StartupScriptsGenerator.BootstrapPath)]
    [InlineData(StartupScriptsGenerator.InstanceScriptPath)]
    [InlineData(StartupScriptsGenerator.ShutdownScriptPath)]
    public async Task Each_script_passes_bash_syntax_check_and_shellcheck_at_style_level(string path)
    {
        var script = WriteScript(path);

        await ToolRun.RunCheckedAsync("bash", _dir.Path, "-n", script);
        await ToolRun.RunCheckedAsync("shellcheck", _dir.Path, "-S", "style", "-s", "bash", script);
    }

    [Fact]
    public async Task Shellcheck_catches_an_unquoted_expansion_in_the_same_script()
    {
        // Proves the check above can fail: one quote removed from the swarm init line.
        var broken = Script(StartupScriptsGenerator.InstanceScriptPath)
            .Replace("--advertise-addr \"$private_ip\"", "--advertise-addr $private_ip", StringComparison.Ordinal);
        var script = WriteScript(StartupScriptsGenerator.InstanceScriptPath, broken);

        var (exit, output) = await ToolRun.RunAsync("shellcheck", _dir.Path, "-S", "style", "-s", "bash", script);

        Assert.NotEqual(0, exit);
        Assert.Contains("SC2086", output, StringComparison.Ordinal);
    }

    [Fact]
    public void Generation_is_deterministic_executable_lf_and_ends_with_a_newline()
    {
        var first = StartupScriptsGenerator.Generate(s_settings);
        var second = StartupScriptsGenerator.Generate(s_settings with { });

        Assert.Equal(first, second);
        Assert.Equal([StartupScriptsGenerator.BootstrapPath, StartupScriptsGenerator.InstanceScriptPath, StartupScriptsGenerator.ShutdownScriptPath],
            first.Select(f => f.Path));
        Assert.All(first, f =>
        {
            Assert.True(f.Executable);
            Assert.DoesNotContain('\r', f.Content);
            Assert.EndsWith("\n", f.Content, StringComparison.Ordinal);
            Assert.False(f.Content.EndsWith("\n\n", StringComparison.Ordinal));
            Assert.StartsWith("#!/usr/bin/env bash\n", f.Content, StringComparison.Ordinal);
            // The shutdown script tries every step within the notice, so it alone does not stop at an error.
            Assert.Contains(f.Path == StartupScriptsGenerator.ShutdownScriptPath ? "set -uo pipefail\n" : "set -euo pipefail\n", f.Content, StringComparison.Ordinal);
        });
    }

    [Fact]
    public void Settings_reach_the_script_single_quoted()
    {
        var settings = s_settings.WithService("backend", b => b with { Image = new ContainerImage("ghcr.io/acme/backend", "v1.2.3") }) with
        {
            Name = "chat",
            FrontendPort = 8081,
            InstanceBundleDirectory = "/srv/buzz-talk/",
        };

        var script = StartupScriptsGenerator.Generate(settings).Single(f => f.Path == StartupScriptsGenerator.InstanceScriptPath).Content;

        Assert.Contains("default_stack_name='chat'\n", script, StringComparison.Ordinal);
        Assert.Contains("default_bundle_root='/srv/buzz-talk'\n", script, StringComparison.Ordinal);
        Assert.Contains("default_health_url='http://127.0.0.1:8081/healthz'\n", script, StringComparison.Ordinal);
        Assert.Contains("DEFAULT_BACKEND_IMAGE_TAG='v1.2.3'\n", script, StringComparison.Ordinal);
        Assert.Contains("DEPLOY_USER='deploy'\n", script, StringComparison.Ordinal);
        Assert.Contains($"KEY_REGISTRY_SECRET='{InstanceMetadataKeys.RegistrySecret}'\n", script, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("name")]
    [InlineData("bundle")]
    [InlineData("user")]
    [InlineData("port")]
    public void A_setting_that_could_break_out_of_its_quotes_is_refused(string which)
    {
        var hostile = which switch
        {
            "name" => s_settings with { Name = "x'; rm -rf / #" },
            "bundle" => s_settings with { InstanceBundleDirectory = "/opt/$(reboot)" },
            "user" => s_settings with { Cloud = new CloudSettings { SshUser = "deploy\nreboot" } },
            _ => s_settings with { FrontendPort = 0 },
        };

        Assert.ThrowsAny<ArgumentException>(() => StartupScriptsGenerator.Generate(hostile));
    }

    [Fact]
    public async Task Bootstrap_fetches_the_instance_script_with_the_metadata_token_and_runs_it()
    {
        await using var gcp = await FakeInstanceCloud.StartAsync();
        var marker = Path.Combine(_dir.Path, "ran");
        gcp.Attributes[InstanceMetadataKeys.Bucket] = Bucket;
        gcp.Attributes[InstanceMetadataKeys.InstanceScriptObject] = s_settings.Cloud.InstanceScriptObject;
        gcp.Objects[$"{Bucket}/{s_settings.Cloud.InstanceScriptObject}"] =
            "#!/usr/bin/env bash\nprintf 'instance script ran' > \"$MARKER\"\n"u8.ToArray();

        var (exit, output) = await ScriptRun.RunAsync(WriteScript(StartupScriptsGenerator.BootstrapPath), _dir.Path,
            new Dictionary<string, string>
            {
                ["BUZZTALK_METADATA_URL"] = gcp.MetadataUrl,
                ["BUZZTALK_STORAGE_URL"] = gcp.StorageUrl,
                ["MARKER"] = marker,
            });

        Assert.True(exit == 0, output);
        Assert.Equal("instance script ran", File.ReadAllText(marker));
        var requests = gcp.Requests.ToArray();
        var storage = Assert.Single(requests, r => r.RawTarget.StartsWith("/storage/", StringComparison.Ordinal));
        Assert.Equal($"/storage/v1/b/{Bucket}/o/startup%2Finstance.sh?alt=media", storage.RawTarget);
        Assert.Equal("Bearer " + FakeInstanceCloud.Token, storage.Authorization);
        var metadata = requests.Where(r => r.RawTarget.StartsWith("/computeMetadata/", StringComparison.Ordinal)).ToArray();
        Assert.Equal(3, metadata.Length);
        Assert.All(metadata, r => Assert.Equal("Google", r.MetadataFlavor));
        Assert.DoesNotContain(FakeInstanceCloud.Token, output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Bootstrap_fails_and_runs_nothing_when_the_object_is_missing()
    {
        await using var gcp = await FakeInstanceCloud.StartAsync();
        var marker = Path.Combine(_dir.Path, "ran");
        gcp.Attributes[InstanceMetadataKeys.Bucket] = Bucket;
        gcp.Attributes[InstanceMetadataKeys.InstanceScriptObject] = "startup/other.sh";

        var (exit, _) = await ScriptRun.RunAsync(WriteScript(StartupScriptsGenerator.BootstrapPath), _dir.Path,
            new Dictionary<string, string>
            {
                ["BUZZTALK_METADATA_URL"] = gcp.MetadataUrl,
                ["BUZZTALK_STORAGE_URL"] = gcp.StorageUrl,
                ["MARKER"] = marker,
            });

        Assert.NotEqual(0, exit);
        Assert.False(File.Exists(marker));
    }

    [Fact]
    public async Task Instance_script_installs_inits_deploys_and_reports_ready_and_a_second_run_repeats_nothing()
    {
        await using var gcp = await FakeInstanceCloud.StartAsync();
        var instance = new InstanceFixture(_dir.Path, gcp);
        instance.WriteBackendEnv();
        gcp.HealthFailures = 2;

        var (exit1, output1) = await instance.RunAsync();

        Assert.True(exit1 == 0, output1);
        Assert.Equal(["update -q", "install -y -q --no-install-recommends docker.io"], instance.AptLog());
        Assert.Single(instance.DockerLog(), l => l == $"swarm init --advertise-addr {FakeInstanceCloud.PrivateIp}");
        var stackFile = Path.Combine(instance.BundleRoot, "current", StartupScriptsGenerator.StackFile);
        Assert.Single(instance.DockerLog(), l => l == $"stack deploy --with-registry-auth -c {stackFile} {s_settings.Name}");
        Assert.Equal(["BACKEND_IMAGE_TAG=b-42 FRONTEND_IMAGE_TAG=latest"], instance.StackEnv());
        Assert.Equal("true", gcp.GuestAttributes[StartupScriptsGenerator.ReadyGuestAttribute]);
        Assert.Equal(0, gcp.HealthFailures);
        Assert.Equal("stack: v1\n", File.ReadAllText(stackFile));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, File.GetUnixFileMode(instance.EnvDir));
        Assert.Contains(instance.LoggerLog(), l => l.StartsWith("-t buzztalk -- ready", StringComparison.Ordinal));
        Assert.DoesNotContain(instance.DockerLog(), l => l.StartsWith("login", StringComparison.Ordinal));

        gcp.GuestAttributes.Clear();
        var (exit2, output2) = await instance.RunAsync();

        Assert.True(exit2 == 0, output2);
        Assert.Equal(2, instance.AptLog().Length);
        Assert.Single(instance.DockerLog(), l => l.StartsWith("swarm init", StringComparison.Ordinal));
        Assert.Equal(2, instance.DockerLog().Count(l => l.StartsWith("stack deploy", StringComparison.Ordinal)));
        Assert.Equal("true", gcp.GuestAttributes[StartupScriptsGenerator.ReadyGuestAttribute]);
        var release = Assert.Single(Directory.GetDirectories(Path.Combine(instance.BundleRoot, "releases")));
        Assert.Equal(release, new FileInfo(Path.Combine(instance.BundleRoot, "current")).LinkTarget);
        Assert.Matches("^[0-9a-f]{12}$", Path.GetFileName(release));
        Assert.Equal($"{Path.GetFileName(release)}", gcp.GuestAttributes[StartupScriptsGenerator.ReleaseGuestAttribute]);
        Assert.All(gcp.Requests.Where(r => r.RawTarget.StartsWith("/computeMetadata/", StringComparison.Ordinal)),
            r => Assert.Equal("Google", r.MetadataFlavor));
        Assert.All(gcp.Requests.Where(r => r.RawTarget.StartsWith("/storage/", StringComparison.Ordinal)),
            r => Assert.Equal("Bearer " + FakeInstanceCloud.Token, r.Authorization));
    }

    [Fact]
    public async Task A_new_bundle_is_unpacked_beside_the_old_one_and_current_switches_to_it()
    {
        await using var gcp = await FakeInstanceCloud.StartAsync();
        var instance = new InstanceFixture(_dir.Path, gcp);
        instance.WriteBackendEnv();
        Assert.Equal(0, (await instance.RunAsync()).ExitCode);
        var edgeConfig = Path.Combine(instance.BundleRoot, "edge", "nginx.conf");
        Assert.Equal("# edge v1\n", File.ReadAllText(edgeConfig));
        // No edge ran at the first boot: nothing to reload.
        Assert.DoesNotContain(instance.DockerLog(), l => l.StartsWith("kill", StringComparison.Ordinal));

        instance.PublishBundle("stack: v2\n", edge: "# edge v2\n");
        instance.EdgeRunning("0123456789abcdef");
        var (exit, output) = await instance.RunAsync();

        Assert.True(exit == 0, output);
        Assert.Equal("stack: v2\n", File.ReadAllText(Path.Combine(instance.BundleRoot, "current", StartupScriptsGenerator.StackFile)));
        Assert.Equal(2, Directory.GetDirectories(Path.Combine(instance.BundleRoot, "releases")).Length);
        // The running edge keeps its port and reloads the new config.
        Assert.Equal("# edge v2\n", File.ReadAllText(edgeConfig));
        Assert.Contains("kill --signal HUP 0123456789abcdef", instance.DockerLog());
    }

    [Fact]
    public async Task A_booting_instance_runs_the_desired_release_with_its_tags_bundle_and_env_files_and_prints_no_secret()
    {
        await using var gcp = await FakeInstanceCloud.StartAsync();
        var instance = new InstanceFixture(_dir.Path, gcp);
        const string secret = "django-S3cr3t-that-must-not-print";
        var version = gcp.AddSecretVersion("buzztalk-env", EnvPayload(("backend.env", $"SECRET_KEY={secret}\n"), ("extra.env", "A=1\n")));
        instance.PublishBundle("stack: desired\n", "releases/0123456789ab.tar.gz");
        gcp.Objects[$"{Bucket}/releases/desired.json"] = DesiredRecord(
            bundle: "releases/0123456789ab.tar.gz", backendTag: "v2", envVersion: $"projects/{FakeInstanceCloud.ProjectNumber}/secrets/buzztalk-env/versions/{version}");

        var (exit, output) = await instance.RunAsync(xtrace: true);

        Assert.True(exit == 0, output);
        Assert.Equal(["BACKEND_IMAGE_TAG=v2 FRONTEND_IMAGE_TAG=f3"], instance.StackEnv());
        Assert.Equal("stack: desired\n", File.ReadAllText(Path.Combine(instance.BundleRoot, "current", StartupScriptsGenerator.StackFile)));
        Assert.Equal(Path.Combine(instance.BundleRoot, "releases", "0123456789ab"), new FileInfo(Path.Combine(instance.BundleRoot, "current")).LinkTarget);
        var backendEnv = Path.Combine(instance.EnvDir, "backend.env");
        Assert.Equal($"SECRET_KEY={secret}\n", File.ReadAllText(backendEnv));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(backendEnv));
        Assert.Equal("A=1\n", File.ReadAllText(Path.Combine(instance.EnvDir, "extra.env")));
        using var running = System.Text.Json.JsonDocument.Parse(File.ReadAllText(Path.Combine(instance.BundleRoot, StartupScriptsGenerator.RunningRecordFile)));
        Assert.Equal(7, running.RootElement.GetProperty("revision").GetInt64());
        Assert.False(running.RootElement.TryGetProperty("previous", out _));
        Assert.Equal("r7 0123456789ab", gcp.GuestAttributes[StartupScriptsGenerator.ReleaseGuestAttribute]);
        Assert.Equal("true", gcp.GuestAttributes[StartupScriptsGenerator.ReadyGuestAttribute]);
        Assert.DoesNotContain(secret, output, StringComparison.Ordinal);
        Assert.DoesNotContain(instance.LoggerLog(), l => l.Contains(secret, StringComparison.Ordinal));
        Assert.DoesNotContain(gcp.Requests, r => r.RawTarget.Contains(Bucket + "/o/bundle", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("tag")]
    [InlineData("variable")]
    [InlineData("bundle")]
    [InlineData("env-name")]
    [InlineData("release")]
    public async Task A_hostile_desired_record_is_refused_and_nothing_is_deployed(string which)
    {
        await using var gcp = await FakeInstanceCloud.StartAsync();
        var instance = new InstanceFixture(_dir.Path, gcp);
        var marker = Path.Combine(_dir.Path, "pwned");
        var version = gcp.AddSecretVersion("buzztalk-env", which == "env-name"
            ? EnvPayload(("../../pwned.env", "X=1\n"), ("backend.env", "A=1\n"))
            : EnvPayload(("backend.env", "A=1\n")));
        instance.PublishBundle("stack: desired\n", "releases/0123456789ab.tar.gz");
        var envVersion = $"projects/{FakeInstanceCloud.ProjectNumber}/secrets/buzztalk-env/versions/{version}";
        gcp.Objects[$"{Bucket}/releases/desired.json"] = which switch
        {
            "tag" => DesiredRecord("releases/0123456789ab.tar.gz", $"v2$(touch {marker})", envVersion),
            "variable" => DesiredRecord("releases/0123456789ab.tar.gz", "v2", envVersion, backendVariable: "PATH"),
            "bundle" => DesiredRecord("releases/../../etc/passwd", "v2", envVersion),
            "release" => DesiredRecord("releases/0123456789ab.tar.gz", "v2", envVersion, release: "0123456789ab; reboot"),
            _ => DesiredRecord("releases/0123456789ab.tar.gz", "v2", envVersion),
        };

        var (exit, output) = await instance.RunAsync();

        Assert.True(exit != 0, output);
        Assert.Empty(instance.StackEnv());
        Assert.False(File.Exists(marker));
        Assert.False(File.Exists(Path.Combine(_dir.Path, "pwned.env")));
        Assert.Empty(gcp.GuestAttributes);
    }

    private static byte[] EnvPayload(params (string Name, string Content)[] files) =>
        System.Text.Json.JsonSerializer.SerializeToUtf8Bytes(new Dictionary<string, object>
        {
            ["files"] = files.ToDictionary(f => f.Name, f => Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes(f.Content))),
        });

    /// <summary>A record as the Deployer writes it (camelCase, services with their tag variables, the history under "previous").</summary>
    private static byte[] DesiredRecord(string bundle, string backendTag, string envVersion, string backendVariable = "BACKEND_IMAGE_TAG",
        string release = "0123456789ab") =>
        System.Text.Encoding.UTF8.GetBytes(System.Text.Json.JsonSerializer.Serialize(new Dictionary<string, object?>
        {
            ["revision"] = 7,
            ["release"] = release,
            ["bundleObject"] = bundle,
            ["services"] = new Dictionary<string, object>
            {
                ["backend"] = new Dictionary<string, string> { ["image"] = $"ghcr.io/acme/backend:{backendTag}", ["tagVariable"] = backendVariable, ["tag"] = backendTag },
                ["frontend"] = new Dictionary<string, string> { ["image"] = "ghcr.io/acme/frontend:f3", ["tagVariable"] = "FRONTEND_IMAGE_TAG", ["tag"] = "f3" },
            },
            ["envSecretVersion"] = envVersion,
            ["envSha256"] = new string('a', 64),
            ["operation"] = "deploy",
            ["recordedAt"] = "2026-12-04T10:00:00+00:00",
            ["previous"] = new Dictionary<string, object> { ["revision"] = 6 },
        }));

    [Fact]
    public async Task Registry_password_reaches_docker_login_only_on_stdin_even_under_xtrace()
    {
        await using var gcp = await FakeInstanceCloud.StartAsync();
        var instance = new InstanceFixture(_dir.Path, gcp);
        instance.WriteBackendEnv();
        gcp.Attributes[InstanceMetadataKeys.RegistrySecret] = "registry-token";
        gcp.Attributes[InstanceMetadataKeys.RegistryHost] = "ghcr.io";
        gcp.Attributes[InstanceMetadataKeys.RegistryUser] = "buzz-bot";
        gcp.SetSecret("registry-token", RegistryPassword);

        var (exit, output) = await instance.RunAsync(xtrace: true);

        Assert.True(exit == 0, output);
        Assert.Contains("login ghcr.io -u buzz-bot --password-stdin", instance.DockerLog());
        Assert.Equal(RegistryPassword, instance.LoginStdin());
        Assert.DoesNotContain(RegistryPassword, output, StringComparison.Ordinal);
        Assert.DoesNotContain(instance.DockerLog(), l => l.Contains(RegistryPassword, StringComparison.Ordinal));
        Assert.DoesNotContain(instance.LoggerLog(), l => l.Contains(RegistryPassword, StringComparison.Ordinal));
        var secret = Assert.Single(gcp.Requests, r => r.RawTarget.StartsWith("/secretmanager/", StringComparison.Ordinal));
        Assert.Equal($"/secretmanager/v1/projects/{FakeInstanceCloud.Project}/secrets/registry-token/versions/latest:access", secret.RawTarget);
        Assert.Equal("Bearer " + FakeInstanceCloud.Token, secret.Authorization);
    }

    [Fact]
    public async Task Without_the_backend_env_file_the_instance_waits_for_the_deployer_and_deploys_nothing()
    {
        await using var gcp = await FakeInstanceCloud.StartAsync();
        var instance = new InstanceFixture(_dir.Path, gcp);

        var (exit, output) = await instance.RunAsync();

        Assert.True(exit == 0, output);
        Assert.Contains("waiting for deploy", output, StringComparison.Ordinal);
        Assert.DoesNotContain(instance.DockerLog(), l => l.StartsWith("stack deploy", StringComparison.Ordinal));
        Assert.Empty(gcp.GuestAttributes);
        Assert.Empty(Directory.GetFileSystemEntries(instance.EnvDir));
        Assert.True(File.Exists(Path.Combine(instance.BundleRoot, "current", StartupScriptsGenerator.StackFile)));
    }

    [Fact]
    public async Task At_a_preemption_notice_the_instance_fails_its_health_check_closes_its_websockets_and_only_then_stops_its_backends()
    {
        await using var gcp = await FakeInstanceCloud.StartAsync();
        gcp.InstanceValues["instance/preempted"] = "TRUE";
        var run = Path.Combine(_dir.Path, "run");
        var log = Path.Combine(_dir.Path, "docker.log");
        var docker = Path.Combine(_dir.Path, "docker");
        // The fake docker notes, with each call, whether the drain flag was already there; its
        // swarm runs two backend containers.
        await File.WriteAllTextAsync(docker, $"#!/bin/sh\nprintf '%s drained=%s\\n' \"$*\" \"$([ -f '{run}/draining' ] && echo yes || echo no)\" >> '{log}'\n"
            + "[ \"$1\" = ps ] && printf 'c0ffee01\\nc0ffee02\\n'\nexit 0\n");
        File.SetUnixFileMode(docker, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);

        var (exit, output) = await ScriptRun.RunAsync(WriteScript(StartupScriptsGenerator.ShutdownScriptPath), _dir.Path, new Dictionary<string, string>
        {
            ["BUZZTALK_METADATA_URL"] = gcp.MetadataUrl,
            ["BUZZTALK_DOCKER"] = docker,
            ["BUZZTALK_LOGGER"] = "true",
            ["BUZZTALK_RUN_DIR"] = run,
            ["BUZZTALK_DRAIN_SECONDS"] = "0.2",
        });

        Assert.True(exit == 0, output);
        Assert.Contains("preempted: TRUE", output, StringComparison.Ordinal);
        Assert.True(File.Exists(Path.Combine(run, "draining")));
        Assert.Equal("false", gcp.GuestAttributes[StartupScriptsGenerator.ReadyGuestAttribute]);
        // Health check failed first; then the websockets closed at once (SIGUSR1); the backends stop last.
        Assert.Equal([
            $"ps -q --filter label=com.docker.swarm.service.name={s_settings.Name}_backend drained=yes",
            "kill --signal USR1 c0ffee01 drained=yes",
            "kill --signal USR1 c0ffee02 drained=yes",
            $"service scale --detach=false {s_settings.Name}_backend=0 drained=yes",
        ], File.ReadAllLines(log));
    }

    [Fact]
    public void The_drain_outlasts_the_balancers_check_and_the_whole_leave_fits_the_preemption_notice()
    {
        Assert.True(StartupScriptsGenerator.DrainSeconds > BuzzTalk.Publishing.Terraform.TerraformGenerator.HealthCheckIntervalSec
            * BuzzTalk.Publishing.Terraform.TerraformGenerator.HealthCheckUnhealthyThreshold);
        Assert.True(StartupScriptsGenerator.DrainSeconds + StartupScriptsGenerator.BackendStopSeconds < 30);
    }

    [Fact]
    public async Task A_stack_that_never_answers_fails_the_run_and_is_not_reported_ready()
    {
        await using var gcp = await FakeInstanceCloud.StartAsync();
        var instance = new InstanceFixture(_dir.Path, gcp) { HealthTimeoutSeconds = 1 };
        instance.WriteBackendEnv();
        gcp.HealthFailures = int.MaxValue;

        var (exit, output) = await instance.RunAsync();

        Assert.NotEqual(0, exit);
        Assert.Contains("did not answer", output, StringComparison.Ordinal);
        Assert.Empty(gcp.GuestAttributes);
    }

    /// <summary>
    /// An instance in a scratch directory: fake docker (installed by the fake apt-get), fake
    /// logger and usermod, the bundle archive in the fake bucket, every path overridden.
    /// </summary>
    private sealed class InstanceFixture
    {
        private readonly string _root;
        private readonly FakeInstanceCloud _gcp;
        private readonly string _script;

        public InstanceFixture(string root, FakeInstanceCloud gcp)
        {
            _root = root;
            _gcp = gcp;
            var bin = Path.Combine(root, "fake-bin");
            BundleDirectory.FakeTool(root, "docker.fake", """
                printf '%s\n' "$*" >> "$FAKE_DIR/docker.log"
                case "$1" in
                  info) if [[ "${2:-}" == --format ]]; then cat "$FAKE_DIR/swarm-state" 2>/dev/null || echo inactive; fi ;;
                  swarm) echo active > "$FAKE_DIR/swarm-state" ;;
                  login) cat > "$FAKE_DIR/login-stdin" ;;
                  ps) cat "$FAKE_DIR/edge-running" 2>/dev/null || true ;;
                  stack) [[ -f "$5" ]]; printf 'BACKEND_IMAGE_TAG=%s FRONTEND_IMAGE_TAG=%s\n' "$BACKEND_IMAGE_TAG" "$FRONTEND_IMAGE_TAG" >> "$FAKE_DIR/stack-env" ;;
                esac
                """);
            BundleDirectory.FakeTool(bin, "apt-get", """
                printf '%s\n' "$*" >> "$FAKE_DIR/apt.log"
                if [[ "$1" == install ]]; then install -m 0755 "$FAKE_DIR/docker.fake" "$FAKE_DIR/fake-bin/docker"; fi
                """);
            BundleDirectory.FakeTool(bin, "logger", """printf '%s\n' "$*" >> "$FAKE_DIR/logger.log" """);
            BundleDirectory.FakeTool(bin, "usermod", """printf '%s\n' "$*" >> "$FAKE_DIR/usermod.log" """);
            _script = Path.Combine(root, "instance.sh");
            File.WriteAllText(_script, StartupScriptsGenerator.Generate(s_settings).Single(f => f.Path == StartupScriptsGenerator.InstanceScriptPath).Content);
            gcp.Attributes[InstanceMetadataKeys.Bucket] = Bucket;
            gcp.Attributes[InstanceMetadataKeys.BundleObject] = s_settings.Cloud.BundleObject;
            gcp.Attributes[InstanceMetadataKeys.BackendImageTag] = "b-42";
            gcp.Attributes[InstanceMetadataKeys.FrontendImageTag] = "";
            PublishBundle("stack: v1\n");
        }

        public string BundleRoot => Path.Combine(_root, "opt-buzztalk");

        /// <summary>The fake docker lists this container as the stack's running edge.</summary>
        public void EdgeRunning(string container) => File.WriteAllText(Path.Combine(_root, "edge-running"), container + "\n");

        public string EnvDir => Path.Combine(_root, "etc-buzztalk-env");

        public int HealthTimeoutSeconds { get; init; } = 30;

        public void WriteBackendEnv()
        {
            Directory.CreateDirectory(EnvDir);
            File.WriteAllText(Path.Combine(EnvDir, StartupScriptsGenerator.BackendEnvFile), "SECRET_KEY=x\n");
        }

        public void PublishBundle(string stack, string? objectName = null, string edge = "# edge v1\n")
        {
            var source = Path.Combine(_root, "bundle-source-" + Guid.NewGuid().ToString("N"));
            Directory.CreateDirectory(Path.Combine(source, "stack"));
            File.WriteAllText(Path.Combine(source, StartupScriptsGenerator.StackFile), stack);
            Directory.CreateDirectory(Path.Combine(source, "nginx"));
            File.WriteAllText(Path.Combine(source, BuzzTalk.Publishing.Stack.StackFileGenerator.NginxPath), edge);
            using var archive = new MemoryStream();
            using (var gzip = new GZipStream(archive, CompressionLevel.Fastest, leaveOpen: true))
            {
                TarFile.CreateFromDirectory(source, gzip, includeBaseDirectory: false);
            }

            _gcp.Objects[$"{Bucket}/{objectName ?? s_settings.Cloud.BundleObject}"] = archive.ToArray();
        }

        public Task<(int ExitCode, string Output)> RunAsync(bool xtrace = false) =>
            ScriptRun.RunAsync(_script, _root, new Dictionary<string, string>
            {
                ["FAKE_DIR"] = _root,
                ["BUZZTALK_METADATA_URL"] = _gcp.MetadataUrl,
                ["BUZZTALK_STORAGE_URL"] = _gcp.StorageUrl,
                ["BUZZTALK_SECRETMANAGER_URL"] = _gcp.SecretManagerUrl,
                ["BUZZTALK_DOCKER"] = Path.Combine(_root, "fake-bin", "docker"),
                ["BUZZTALK_APT_GET"] = Path.Combine(_root, "fake-bin", "apt-get"),
                ["BUZZTALK_LOGGER"] = Path.Combine(_root, "fake-bin", "logger"),
                ["BUZZTALK_USERMOD"] = Path.Combine(_root, "fake-bin", "usermod"),
                ["BUZZTALK_BUNDLE_ROOT"] = BundleRoot,
                ["BUZZTALK_ENV_DIR"] = EnvDir,
                ["BUZZTALK_LOCK_FILE"] = Path.Combine(_root, "instance.lock"),
                ["BUZZTALK_HEALTH_URL"] = _gcp.HealthUrl,
                ["BUZZTALK_HEALTH_TIMEOUT_SECONDS"] = HealthTimeoutSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture),
                ["BUZZTALK_HEALTH_INTERVAL_SECONDS"] = "0.1",
            }, xtrace);

        public string[] DockerLog() => Lines("docker.log");

        public string[] AptLog() => Lines("apt.log");

        public string[] LoggerLog() => Lines("logger.log");

        public string[] StackEnv() => Lines("stack-env");

        public string LoginStdin() => File.ReadAllText(Path.Combine(_root, "login-stdin"));

        private string[] Lines(string name)
        {
            var path = Path.Combine(_root, name);
            return File.Exists(path) ? File.ReadAllLines(path) : [];
        }
    }
}
