using System.Diagnostics;
using System.Globalization;
using System.Net;
using BuzzTalk.AppHost.Configuration;
using BuzzTalk.AppHost.Resources;
using BuzzTalk.Fleet.Local;
using BuzzTalk.Fleet.Ssh;
using BuzzTalk.Publishing;

namespace BuzzTalk.AppHost.LocalFleet;

/// <summary>
/// The local fleet's ports and files, fixed when the model is built: the instance's SSH key pair and
/// pinned host key, its directories, and the ports the bundle and the monitoring config name.
/// Everything lives under <c>{state}/fleet</c>; only the ports change between starts.
/// </summary>
public sealed record LocalFleetLayout
{
    public required LocalFleetOptions Options { get; init; }

    public required string Root { get; init; }

    public required string SshUser { get; init; }

    public required int SshPort { get; init; }

    public required int FrontendPort { get; init; }

    public required int NodeExporterPort { get; init; }

    public required int CadvisorPort { get; init; }

    public required int DiscoveryPort { get; init; }

    public required int ScalerPort { get; init; }

    public required int DeployerPort { get; init; }

    public required int PrometheusPort { get; init; }

    public required int AlertmanagerPort { get; init; }

    /// <summary>
    /// The ports MySQL and Redis listen on themselves (behind the dashboard's loopback proxy), fixed
    /// because the instance's containers reach them directly at <see cref="HostAddress"/>.
    /// </summary>
    public required int MySqlPort { get; init; }

    public required int RedisPort { get; init; }

    /// <summary>
    /// Where the instance's containers reach this machine (MySQL, Redis): <c>BuzzTalk:LocalFleet:HostAddress</c>,
    /// else swarm's gateway, asked of the engine when the app starts (first read), not while the model is built.
    /// </summary>
    public string HostAddress => _hostAddress.Value;

    private Lazy<string> _hostAddress = new(() => throw new InvalidOperationException("The layout was not created."));

    public string SshDirectory => Path.Combine(Root, "ssh");

    public string PrivateKeyFile => Path.Combine(SshDirectory, "client_ed25519");

    public string HostKeyFile => Path.Combine(SshDirectory, "host_ed25519");

    public string KnownHostsFile => Path.Combine(SshDirectory, "known_hosts");

    public string SshdConfigFile => Path.Combine(SshDirectory, "sshd_config");

    public string BundleDirectory => Path.Combine(Root, "bundle");

    /// <summary>The Deployer's settings for this fleet (its <c>--config</c>), written at start for <c>aspire deploy</c>.</summary>
    public string DeployerSettingsFile => DeployerSettingsPath(Root);

    /// <summary>Where a local fleet under <paramref name="fleetRoot"/> keeps its Deployer settings.</summary>
    public static string DeployerSettingsPath(string fleetRoot) => Path.Combine(fleetRoot, "deployer.json");

    /// <summary>The fleet's folder in the state directory.</summary>
    public static string RootIn(StateDirectory state) => Path.Combine(state.Root, "fleet");

    /// <summary>The operator's .env the Deployer renders on each deploy (0600, written at start).</summary>
    public string EnvFile => Path.Combine(Root, "secrets", "fleet.env");

    /// <summary>What an instance keeps under /opt/buzztalk, /etc/buzztalk/env and its lease directory.</summary>
    public string InstanceRoot => Path.Combine(Root, "instance", "opt");

    public string InstanceEnvDirectory => Path.Combine(Root, "instance", "env");

    public string InstanceLeaseDirectory => Path.Combine(Root, "instance", "lease");

    /// <summary>Stands in for systemd's <c>/run/credentials</c>: the monitoring units' password files.</summary>
    public string CredentialsDirectory => Path.Combine(Root, "credentials");

    public string PublicUrl => $"http://127.0.0.1:{FrontendPort.ToString(CultureInfo.InvariantCulture)}";

    /// <summary>The settings the bundle is composed from: the cloud's, with this machine's images, ports and paths.</summary>
    public PublishSettings PublishSettings(BuzzTalkOptions options, IReadOnlyList<SwarmServiceSpec> services) =>
        Publish.PublishSettingsFactory.Create(options, PublicUrl, services) with
        {
            FrontendPort = FrontendPort,
            NodeExporterPort = NodeExporterPort,
            CadvisorPort = CadvisorPort,
            OpsHost = new OpsHostSettings
            {
                ScalerPort = ScalerPort,
                DiscoveryPort = DiscoveryPort,
                DeployerPort = DeployerPort,
                PrometheusPort = PrometheusPort,
                AlertmanagerPort = AlertmanagerPort,
                CredentialsDirectory = CredentialsDirectory,
            },
        };

    /// <summary>Picks the ports and finds the swarm; <see cref="Prepare"/> writes the files when the app starts.</summary>
    public static LocalFleetLayout Create(StackContext stack)
    {
        var options = stack.Options.LocalFleet;
        var root = stack.State.Directory(Path.GetFileName(RootIn(stack.State)));
        var layout = new LocalFleetLayout
        {
            Options = options,
            Root = root,
            SshUser = Environment.UserName,
            SshPort = Pick(options.SshPort),
            FrontendPort = Pick(options.FrontendPort),
            NodeExporterPort = Pick(options.NodeExporterPort),
            CadvisorPort = Pick(options.CadvisorPort),
            DiscoveryPort = LoopbackPort.Find(),
            ScalerPort = LoopbackPort.Find(),
            DeployerPort = LoopbackPort.Find(),
            PrometheusPort = LoopbackPort.Find(),
            AlertmanagerPort = LoopbackPort.Find(),
            MySqlPort = LoopbackPort.Find(),
            RedisPort = LoopbackPort.Find(),
        };
        if (options.HostAddress is { Length: > 0 } address)
        {
            layout._hostAddress = new Lazy<string>(address);
            if (!IPAddress.TryParse(address, out _))
            {
                throw new OptionsInvalidException([$"BuzzTalk:LocalFleet:HostAddress: '{address}' is not an IP address."]);
            }
        }
        else
        {
            layout._hostAddress = new Lazy<string>(SwarmGateway);
        }

        return layout;
    }

    /// <summary>
    /// The fleet's folders, the key pair and host key (made on first use), authorized_keys,
    /// known_hosts and sshd_config: side effects of starting the app, not of building its model.
    /// </summary>
    public void Prepare()
    {
        foreach (var directory in new[] { SshDirectory, InstanceRoot, InstanceEnvDirectory, InstanceLeaseDirectory,
            Path.GetDirectoryName(EnvFile)!, CredentialsDirectory })
        {
            Directory.CreateDirectory(directory);
        }

        WriteSshFiles();
    }

    private static int Pick(int configured) => configured > 0 ? configured : LoopbackPort.Find();

    private void WriteSshFiles()
    {
        foreach (var key in new[] { PrivateKeyFile, HostKeyFile })
        {
            if (!File.Exists(key))
            {
                // Made aside and moved in, public half first: a start racing this one finds a
                // whole pair or none, and keeps the first one in (ssh-keygen would stop and ask).
                var made = $"{key}.{Guid.NewGuid():N}";
                Run("ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", "buzztalk-local-fleet", "-f", made);
                try
                {
                    File.Move(made + ".pub", key + ".pub", overwrite: false);
                    File.Move(made, key, overwrite: false);
                }
                catch (IOException) when (File.Exists(key + ".pub"))
                {
                    // Another start made this key first.
                }
                finally
                {
                    File.Delete(made);
                    File.Delete(made + ".pub");
                }
            }
        }

        WriteWhole(Path.Combine(SshDirectory, "authorized_keys"), File.ReadAllText(PrivateKeyFile + ".pub"));
        // The host key is pinned exactly as for a cloud instance: known_hosts names host and port.
        var hostKey = File.ReadAllText(HostKeyFile + ".pub").Split(' ', StringSplitOptions.RemoveEmptyEntries);
        WriteWhole(KnownHostsFile, $"[127.0.0.1]:{SshPort.ToString(CultureInfo.InvariantCulture)} {hostKey[0]} {hostKey[1]}\n");
        WriteWhole(SshdConfigFile, "# Written by the AppHost for BuzzTalk:Fleet=local; rewritten at every start.\n"
            + SshdConfig.Render(SshPort, HostKeyFile, Path.Combine(SshDirectory, "sshd.pid"), Path.Combine(SshDirectory, "authorized_keys"), SshUser, Root));
        // sshd's privilege-separation directory, present once the package's service has run.
        Directory.CreateDirectory("/run/sshd");
    }

    // Written aside and renamed in: sshd or a start racing this one reads a whole file or the old one, never a half-written one.
    private static void WriteWhole(string path, string content)
    {
        var aside = $"{path}.{Guid.NewGuid():N}";
        File.WriteAllText(aside, content);
        File.Move(aside, path, overwrite: true);
    }

    /// <summary>The gateway of swarm's docker_gwbridge: the address every task container reaches this host at.</summary>
    private static string SwarmGateway()
    {
        var output = Run("docker", "network", "inspect", "docker_gwbridge", "--format", "{{range .IPAM.Config}}{{.Gateway}}{{end}}");
        return output.Trim() is { Length: > 0 } gateway && IPAddress.TryParse(gateway, out _)
            ? gateway
            : throw new OptionsInvalidException(["BuzzTalk:Fleet=local: docker_gwbridge has no gateway; is this machine a swarm (eng/start-dockerd.sh)?"]);
    }

    private static string Run(string tool, params string[] args)
    {
        var path = Runtime.HostTools.Locate(tool)
            ?? throw new OptionsInvalidException([$"BuzzTalk:Fleet=local needs {tool}: run eng/install-deps.sh and eng/start-dockerd.sh."]);
        var start = new ProcessStartInfo(path) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEnd();
        process.WaitForExit();
        return process.ExitCode == 0
            ? stdout.Result
            : throw new OptionsInvalidException([$"BuzzTalk:Fleet=local: {tool} {args[0]} failed ({stderr.Trim()}); is dockerd running as a swarm (eng/start-dockerd.sh)?"]);
    }
}
