using System.Runtime.Versioning;
using System.Text.RegularExpressions;
using BuzzTalk.AppHost.Publish;
using BuzzTalk.AppHost.Tests.Publishing.Startup;
using BuzzTalk.Publishing;
using BuzzTalk.Publishing.OpsHost;
using BuzzTalk.Publishing.SpotFleet;
using BuzzTalk.Testing;

namespace BuzzTalk.AppHost.Tests.Publishing.OpsHost;

[SupportedOSPlatform("linux")]
public sealed class OpsHostUnitsTests : IDisposable
{
    private static readonly PublishSettings s_settings = PublishedModel.Settings("http://203.0.113.10");

    private static readonly string[] s_services = ["buzztalk-scaler", "buzztalk-discovery", "buzztalk-deployer"];

    private static readonly string[] s_dropIns =
    [
        "prometheus.service",
        "prometheus-alertmanager.service",
        "prometheus-node-exporter.service",
        "prometheus-blackbox-exporter.service",
        "prometheus-redis-exporter.service",
        "grafana-server.service",
    ];

    private static readonly string[] s_hardening =
    [
        "NoNewPrivileges=yes",
        "ProtectSystem=strict",
        "ProtectHome=yes",
        "PrivateTmp=yes",
        "PrivateDevices=yes",
        "ProtectKernelTunables=yes",
        "ProtectKernelModules=yes",
        "ProtectKernelLogs=yes",
        "ProtectControlGroups=yes",
        "RestrictAddressFamilies=AF_INET AF_INET6 AF_UNIX",
        "LockPersonality=yes",
        "MemoryDenyWriteExecute=yes",
        "SystemCallArchitectures=native",
        "CapabilityBoundingSet=",
    ];

    private readonly ScratchDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    private static IReadOnlyList<BundleFile> Files(PublishSettings? settings = null) => OpsHostUnitsGenerator.Generate(settings ?? s_settings);

    private static string Content(string path) => Files().Single(f => f.Path == path).Content;

    private static string Unit(string name) => Content($"{OpsHostUnitsGenerator.SystemdDirectory}/{name}");

    private static string DropIn(string unit) => Unit($"{unit}.d/{OpsHostUnitsGenerator.DropInName}");

    private static string[] Lines(string content) => content.Split('\n');

    public static TheoryData<string> AllUnits() =>
        new(s_services.Select(s => s + ".service").Concat(s_dropIns).Append(OpsHostUnitsGenerator.TargetName));

    [Theory]
    [MemberData(nameof(AllUnits))]
    public async Task Every_unit_with_its_drop_in_passes_systemd_analyze_verify_without_a_warning(string unit)
    {
        var root = await SystemdRoot.BuildAsync(_dir.Path, Files());

        var (exit, output) = await SystemdRoot.VerifyAsync(root, unit);

        Assert.True(exit == 0, output);
        // verify only warns (exit 0) about unknown keys and unparsable values: none may appear.
        Assert.True(output.Trim().Length == 0, output);
    }

    [Fact]
    public async Task Verify_fails_when_a_unit_binary_is_missing_and_reports_an_unknown_key()
    {
        // Proves the check above can fail: the Scaler's binary removed, a misspelt directive added.
        var files = Files().Select(f => f.Path.EndsWith("/buzztalk-scaler.service", StringComparison.Ordinal)
            ? f with { Content = f.Content.Replace("Restart=always", "Restart=always\nRestartSecs=5", StringComparison.Ordinal) }
            : f);
        var root = await SystemdRoot.BuildAsync(_dir.Path, files);
        File.Delete(Path.Combine(root, "opt/buzztalk/bin/buzztalk-scaler"));

        var (exit, output) = await SystemdRoot.VerifyAsync(root, "buzztalk-scaler.service");

        Assert.NotEqual(0, exit);
        Assert.Contains("is not executable", output, StringComparison.Ordinal);
        Assert.Contains("Unknown key 'RestartSecs'", output, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("buzztalk-scaler", 9789, false)]
    [InlineData("buzztalk-discovery", 9790, true)]
    [InlineData("buzztalk-deployer", 9791, false)]
    public void Service_units_run_the_installed_binary_on_loopback_hardened_and_always_restarted(string service, int port, bool writesFileSd)
    {
        var lines = Lines(Unit(service + ".service"));

        Assert.Contains($"ExecStart=/opt/buzztalk/bin/{service} --urls http://127.0.0.1:{port}", lines);
        Assert.Contains($"EnvironmentFile=-/etc/buzztalk/env/{service}.env", lines);
        Assert.Contains("User=buzztalk", lines);
        Assert.Contains("Restart=always", lines);
        Assert.Contains("RestartSec=5", lines);
        Assert.Contains($"StateDirectory=buzztalk/{service["buzztalk-".Length..]}", lines);
        Assert.Contains($"WantedBy={OpsHostUnitsGenerator.TargetName}", lines);
        Assert.All(s_hardening, directive => Assert.Contains(directive, lines));
        Assert.Equal(writesFileSd, lines.Contains("ReadWritePaths=/var/lib/buzztalk/file_sd"));
    }

    [Fact]
    public void Drop_ins_always_restart_and_point_the_packaged_services_at_the_bundle_config_on_loopback()
    {
        Assert.All(s_dropIns, unit =>
        {
            var lines = Lines(DropIn(unit));
            Assert.Contains("Restart=always", lines);
            Assert.Contains("RestartSec=5", lines);
        });

        Assert.Contains("ExecStart=/usr/bin/prometheus --config.file=/etc/buzztalk/monitoring/prometheus/prometheus.yml "
            + "--web.listen-address=127.0.0.1:9090 --storage.tsdb.path=/var/lib/prometheus/metrics2/", Lines(DropIn("prometheus.service")));
        Assert.Contains("--config.file=/etc/buzztalk/monitoring/alertmanager/alertmanager.yml --web.listen-address=127.0.0.1:9093",
            DropIn("prometheus-alertmanager.service"), StringComparison.Ordinal);
        Assert.Contains("--web.listen-address=127.0.0.1:9100", DropIn("prometheus-node-exporter.service"), StringComparison.Ordinal);
        Assert.Contains("--config.file=/etc/buzztalk/monitoring/prometheus/blackbox.yml --web.listen-address=127.0.0.1:9115",
            DropIn("prometheus-blackbox-exporter.service"), StringComparison.Ordinal);
        Assert.Contains("--web.listen-address=127.0.0.1:9121", DropIn("prometheus-redis-exporter.service"), StringComparison.Ordinal);
        Assert.Contains("Environment=GF_SERVER_HTTP_ADDR=127.0.0.1", Lines(DropIn("grafana-server.service")));
        Assert.Contains("Environment=GF_SERVER_HTTP_PORT=3000", Lines(DropIn("grafana-server.service")));
        // A drop-in that replaces ExecStart must clear the packaged one first.
        Assert.All(s_dropIns.Where(u => DropIn(u).Contains("ExecStart=/", StringComparison.Ordinal)),
            unit => Assert.Contains("ExecStart=", Lines(DropIn(unit))));
    }

    [Fact]
    public void Ports_and_directories_come_from_the_settings()
    {
        var settings = s_settings with
        {
            OpsHost = new OpsHostSettings
            {
                ScalerPort = 19789,
                PrometheusPort = 19090,
                GrafanaPort = 13000,
                InstallDirectory = "/srv/buzz",
                FileSdDirectory = "/srv/sd",
            },
        };
        var files = Files(settings);
        string Get(string path) => files.Single(f => f.Path == $"{OpsHostUnitsGenerator.SystemdDirectory}/{path}").Content;

        Assert.Contains("ExecStart=/srv/buzz/bin/buzztalk-scaler --urls http://127.0.0.1:19789\n", Get("buzztalk-scaler.service"), StringComparison.Ordinal);
        // Only the configured services are scaled: the published Scaler knows the stack's backend and its bounds.
        Assert.Contains("Environment=Scaler__Services__buzztalk_backend__Min=1\n", Get("buzztalk-scaler.service"), StringComparison.Ordinal);
        Assert.Contains("Environment=Scaler__Services__buzztalk_backend__Max=4\n", Get("buzztalk-scaler.service"), StringComparison.Ordinal);
        Assert.Contains("ReadWritePaths=/srv/sd\n", Get("buzztalk-discovery.service"), StringComparison.Ordinal);
        Assert.Contains("--web.listen-address=127.0.0.1:19090", Get("prometheus.service.d/buzztalk.conf"), StringComparison.Ordinal);
        Assert.Contains("GF_SERVER_HTTP_PORT=13000\n", Get("grafana-server.service.d/buzztalk.conf"), StringComparison.Ordinal);
        var install = files.Single(f => f.Path == OpsHostUnitsGenerator.InstallScriptPath).Content;
        Assert.Contains("INSTALL_DIR='/srv/buzz'\n", install, StringComparison.Ordinal);
        Assert.Contains("FILE_SD_DIR='/srv/sd'\n", install, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("/opt/buzz talk")]
    [InlineData("relative/dir")]
    [InlineData("/opt/%n")]
    [InlineData("/opt/$HOME")]
    [InlineData("/opt/../etc")]
    public void A_directory_that_systemd_or_bash_would_reinterpret_is_refused(string directory)
    {
        var settings = s_settings with { OpsHost = new OpsHostSettings { InstallDirectory = directory } };

        Assert.ThrowsAny<ArgumentException>(() => OpsHostUnitsGenerator.Generate(settings));
    }

    [Fact]
    public void No_unit_carries_a_secret_looking_value()
    {
        var secretish = new Regex(@"^Environment=.*(PASSWORD|SECRET|TOKEN|KEY)[A-Z_]*=", RegexOptions.IgnoreCase | RegexOptions.Multiline);

        Assert.All(Files().Where(f => !f.Executable), f => Assert.DoesNotMatch(secretish, f.Content));
        // The same pattern does catch one.
        Assert.Matches(secretish, "Environment=GF_SECURITY_ADMIN_PASSWORD=hunter2\n");
    }

    [Fact]
    public void Generation_is_deterministic_with_lf_and_a_trailing_newline_and_only_the_installer_executable()
    {
        var first = Files();
        var second = Files(s_settings with { });

        Assert.Equal(first, second);
        Assert.All(first, f =>
        {
            Assert.DoesNotContain('\r', f.Content);
            Assert.EndsWith("\n", f.Content, StringComparison.Ordinal);
            Assert.Equal(f.Path == OpsHostUnitsGenerator.InstallScriptPath, f.Executable);
        });
        Assert.Equal(first.Count, first.Select(f => f.Path).Distinct(StringComparer.Ordinal).Count());
    }

    [Fact]
    public async Task Installer_passes_bash_syntax_check_and_shellcheck_at_style_level()
    {
        var script = Path.Combine(_dir.Path, "install.sh");
        await File.WriteAllTextAsync(script, Content(OpsHostUnitsGenerator.InstallScriptPath));

        await ToolRun.RunCheckedAsync("bash", _dir.Path, "-n", script);
        await ToolRun.RunCheckedAsync("shellcheck", _dir.Path, "-S", "style", "-s", "bash", script);
    }

    [Fact]
    public async Task Installer_installs_and_enables_everything_and_a_second_run_restarts_nothing()
    {
        var installer = new InstallerFixture(_dir.Path);

        var (exit1, output1) = await installer.RunAsync();

        Assert.True(exit1 == 0, output1);
        var etc = Path.Combine(installer.Root, "etc/systemd/system");
        Assert.Equal(Unit("buzztalk-scaler.service"), await File.ReadAllTextAsync(Path.Combine(etc, "buzztalk-scaler.service")));
        Assert.Equal(DropIn("prometheus.service"), await File.ReadAllTextAsync(Path.Combine(etc, "prometheus.service.d/buzztalk.conf")));
        Assert.Equal(DropIn("grafana-server.service"), await File.ReadAllTextAsync(Path.Combine(etc, "grafana-server.service.d/buzztalk.conf")));
        Assert.True(File.Exists(Path.Combine(etc, OpsHostUnitsGenerator.TargetName)));
        Assert.Equal("global: {}\n", await File.ReadAllTextAsync(Path.Combine(installer.Root, "etc/buzztalk/monitoring/prometheus/prometheus.yml")));
        Assert.True(File.Exists(Path.Combine(installer.Root, "opt/buzztalk/bin/buzztalk-discovery")));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute,
            File.GetUnixFileMode(Path.Combine(installer.Root, "etc/buzztalk/env")));
        Assert.True(Directory.Exists(Path.Combine(installer.Root, "var/lib/buzztalk/file_sd")));
        var systemctl = installer.SystemctlLog();
        Assert.Equal("daemon-reload", systemctl[0]);
        Assert.Equal("enable --now buzztalk.target buzztalk-scaler.service buzztalk-discovery.service buzztalk-deployer.service "
            + "prometheus.service prometheus-alertmanager.service prometheus-node-exporter.service prometheus-blackbox-exporter.service "
            + "prometheus-redis-exporter.service grafana-server.service", systemctl[^1]);
        Assert.Empty(installer.AptLog());

        installer.ClearLogs();
        var (exit2, output2) = await installer.RunAsync();

        Assert.True(exit2 == 0, output2);
        Assert.Equal(["daemon-reload", systemctl[^1]], installer.SystemctlLog());

        installer.ClearLogs();
        await File.WriteAllTextAsync(Path.Combine(installer.Bundle, "monitoring/prometheus/prometheus.yml"), "global: {scrape_interval: 15s}\n");
        var (exit3, output3) = await installer.RunAsync();

        Assert.True(exit3 == 0, output3);
        var reloads = installer.SystemctlLog().Where(l => l.StartsWith("try-", StringComparison.Ordinal)).ToArray();
        Assert.Contains("try-reload-or-restart prometheus.service", reloads);
        Assert.DoesNotContain(reloads, l => l.Contains("buzztalk-", StringComparison.Ordinal));
        Assert.Equal("global: {scrape_interval: 15s}\n",
            await File.ReadAllTextAsync(Path.Combine(installer.Root, "etc/buzztalk/monitoring/prometheus/prometheus.yml")));
    }

    [Fact]
    public async Task Installer_adds_missing_packages_and_restarts_a_service_whose_unit_changed()
    {
        var installer = new InstallerFixture(_dir.Path) { InstalledPackages = "prometheus grafana" };
        var (exit1, output1) = await installer.RunAsync();
        Assert.True(exit1 == 0, output1);
        Assert.Equal(["update -q", "install -y -q --no-install-recommends prometheus-alertmanager prometheus-node-exporter "
            + "prometheus-blackbox-exporter prometheus-redis-exporter"], installer.AptLog());

        installer.ClearLogs();
        var unit = Path.Combine(installer.Bundle, "ops-host/systemd/buzztalk-deployer.service");
        await File.AppendAllTextAsync(unit, "# changed\n");
        var (exit2, output2) = await installer.RunAsync();

        Assert.True(exit2 == 0, output2);
        Assert.Equal(["try-restart buzztalk-deployer.service"], installer.SystemctlLog().Where(l => l.StartsWith("try-", StringComparison.Ordinal)));
    }

    /// <summary>The generated bundle in a scratch directory, installed into a scratch root with fake system tools.</summary>
    private sealed class InstallerFixture
    {
        private readonly string _dir;

        public InstallerFixture(string dir)
        {
            _dir = dir;
            BundleDirectory.Write(Bundle, Files());
            Directory.CreateDirectory(Path.Combine(Bundle, "monitoring/prometheus"));
            File.WriteAllText(Path.Combine(Bundle, "monitoring/prometheus/prometheus.yml"), "global: {}\n");
            foreach (var service in s_services)
            {
                SystemdRoot.StubExecutable(Bundle, $"{OpsHostUnitsGenerator.BinaryDirectory}/{service}");
            }

            var bin = Path.Combine(dir, "fake-bin");
            BundleDirectory.FakeTool(bin, "systemctl", """printf '%s\n' "$*" >> "$FAKE_DIR/systemctl.log" """);
            BundleDirectory.FakeTool(bin, "apt-get", """printf '%s\n' "$*" >> "$FAKE_DIR/apt.log" """);
            BundleDirectory.FakeTool(bin, "useradd", """printf '%s\n' "$*" >> "$FAKE_DIR/useradd.log" """);
            BundleDirectory.FakeTool(bin, "dpkg-query", """
                for p in $FAKE_INSTALLED; do
                  if [[ "$p" == "${!#}" ]]; then printf 'install ok installed'; exit 0; fi
                done
                exit 1
                """);
        }

        public string Bundle => Path.Combine(_dir, "bundle");

        public string Root => Path.Combine(_dir, "root");

        public string InstalledPackages { get; init; } = string.Join(' ', OpsHostUnitsGenerator.DebianPackages.Append("grafana"));

        public Task<(int ExitCode, string Output)> RunAsync() =>
            ScriptRun.RunAsync(Path.Combine(Bundle, OpsHostUnitsGenerator.InstallScriptPath), _dir, new Dictionary<string, string>
            {
                ["FAKE_DIR"] = _dir,
                ["FAKE_INSTALLED"] = InstalledPackages,
                ["BUZZTALK_ROOT"] = Root,
                ["BUZZTALK_SYSTEMCTL"] = Path.Combine(_dir, "fake-bin/systemctl"),
                ["BUZZTALK_APT_GET"] = Path.Combine(_dir, "fake-bin/apt-get"),
                ["BUZZTALK_USERADD"] = Path.Combine(_dir, "fake-bin/useradd"),
                ["BUZZTALK_DPKG_QUERY"] = Path.Combine(_dir, "fake-bin/dpkg-query"),
                ["BUZZTALK_SERVICE_USER"] = Environment.UserName,
            });

        public string[] SystemctlLog() => Lines("systemctl.log");

        public string[] AptLog() => Lines("apt.log");

        public void ClearLogs()
        {
            foreach (var log in new[] { "systemctl.log", "apt.log", "useradd.log" })
            {
                File.Delete(Path.Combine(_dir, log));
            }
        }

        private string[] Lines(string name)
        {
            var path = Path.Combine(_dir, name);
            return File.Exists(path) ? File.ReadAllLines(path) : [];
        }
    }

    [Fact]
    public void Alertmanager_and_grafana_get_the_webhook_password_as_a_systemd_credential_from_the_root_only_file()
    {
        var files = OpsHostUnitsGenerator.Generate(PublishedModel.Settings("http://203.0.113.10"));
        foreach (var unit in new[] { "prometheus-alertmanager.service", "grafana-server.service" })
        {
            var dropIn = files.Single(f => f.Path == $"ops-host/systemd/{unit}.d/buzztalk.conf").Content;
            Assert.Contains("LoadCredential=scaler-webhook-password:/etc/buzztalk/secrets/scaler-webhook-password\n", dropIn, StringComparison.Ordinal);
        }
    }
}
