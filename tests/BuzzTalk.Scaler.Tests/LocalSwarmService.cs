using System.Globalization;
using BuzzTalk.Fleet.Ssh;
using BuzzTalk.Fleet.Swarm;
using BuzzTalk.Testing;

namespace BuzzTalk.Scaler.Tests;

/// <summary>
/// One busybox service on the local swarm, reached over a real sshd on loopback with a pinned
/// host key: the host a Scaler under test acts on. Removed again on dispose.
/// </summary>
public sealed class LocalSwarmService : IAsyncDisposable
{
    private readonly ScratchDirectory _dir = new();
    private SshServer? _ssh;
    private SshHostSession? _session;

    private LocalSwarmService(string name) => Name = name;

    public string Name { get; }

    /// <summary>The test's own connection to the host (separate from the Scaler's).</summary>
    public SshHostSession Session => _session!;

    public string LeaseDirectory => Path.Combine(_dir.Path, "lease");

    public string Directory => _dir.Path;

    /// <summary>Creates the service with one replica (limits 0.05 CPU, 32 MB) and waits for it to run.</summary>
    public static Task<LocalSwarmService> StartAsync(string prefix, params string[] command) => StartAsync(prefix, [], command);

    /// <summary>
    /// The same with extra <c>docker service create</c> options (e.g. a health check). Waits until
    /// the replica runs, or with <paramref name="untilHealthy"/> false only until its container
    /// started (swarm reports a task whose health check has not passed as Starting).
    /// </summary>
    public static async Task<LocalSwarmService> StartAsync(string prefix, IReadOnlyList<string> serviceOptions, string[] command, bool untilHealthy = true)
    {
        var service = new LocalSwarmService(prefix + Guid.NewGuid().ToString("N")[..8]);
        try
        {
            service._ssh = await SshServer.StartAsync();
            service._session = new SshHostSession("127.0.0.1",
                new SshHostOptions { User = service._ssh.User, PrivateKeyFile = service._ssh.ClientKeyFile, Port = service._ssh.Port },
                KnownHosts.Parse(service._ssh.KnownHostsLine));
            await DockerCli.RunAsync(["service", "create", "--detach", "--name", service.Name, "--replicas", "1",
                "--limit-cpu", "0.05", "--limit-memory", "32M", .. serviceOptions, "buzztalk/busybox:test", .. command]);
            if (untilHealthy)
            {
                Assert.Equal(1, await service.WaitForRunningAsync(1));
            }
            else
            {
                var swarm = new SwarmClient(service._session);
                using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(60));
                while (!(await swarm.TasksAsync(service.Name, cts.Token)).Any(t => t.DesiredState == "Running" && t.CurrentState.StartsWith("Starting", StringComparison.Ordinal)))
                {
                    await Task.Delay(TimeSpan.FromMilliseconds(200), cts.Token);
                }
            }

            return service;
        }
        catch
        {
            await service.DisposeAsync();
            throw;
        }
    }

    /// <summary>
    /// Waits, over the test's own connection and up to a minute, until exactly
    /// <paramref name="replicas"/> tasks run, as the Scaler follows a scale; the count seen last.
    /// </summary>
    public async Task<int> WaitForRunningAsync(int replicas)
    {
        await using var engine = new HostEngine(Session);
        return await engine.WaitForRunningAsync(Name, replicas, TimeSpan.FromSeconds(60), TimeSpan.FromMilliseconds(200), TimeSpan.FromSeconds(30));
    }

    /// <summary>Scaler settings for this one host and this one service within <paramref name="min"/>-<paramref name="max"/>.</summary>
    public async Task<Dictionary<string, string?>> ScalerConfigurationAsync(int min, int max)
    {
        var knownHosts = Path.Combine(_dir.Path, "known_hosts");
        await File.WriteAllTextAsync(knownHosts, _ssh!.KnownHostsLine + "\n");
        return new Dictionary<string, string?>
        {
            ["Scaler:Ssh:User"] = _ssh.User,
            ["Scaler:Ssh:PrivateKeyFile"] = _ssh.ClientKeyFile,
            ["Scaler:Ssh:KnownHostsFile"] = knownHosts,
            ["Scaler:Ssh:Port"] = _ssh.Port.ToString(CultureInfo.InvariantCulture),
            ["Scaler:Instances:0:Name"] = "local",
            ["Scaler:Instances:0:PublicIp"] = "127.0.0.1",
            [$"Scaler:Services:{Name}:Min"] = min.ToString(CultureInfo.InvariantCulture),
            [$"Scaler:Services:{Name}:Max"] = max.ToString(CultureInfo.InvariantCulture),
            ["Scaler:LeaseDirectory"] = LeaseDirectory,
            ["Scaler:PollInterval"] = "00:00:00.200",
        };
    }

    /// <summary>Stops the sshd (its connections drop with it); <see cref="StartSshAgainAsync"/> brings it back on the same port and keys.</summary>
    public Task StopSshAsync() => _ssh!.StopAsync();

    public Task StartSshAgainAsync() => _ssh!.StartAgainAsync();

    /// <summary>A new host key (sshd restarted with it), as after the host was rebuilt or impersonated.</summary>
    public async Task ReplaceHostKeyAsync()
    {
        await _ssh!.StopAsync();
        await _ssh.ReplaceHostKeyAsync();
        await _ssh.StartAgainAsync();
    }

    /// <summary>The desired count read with the local docker CLI: it needs no SSH, which a test may have stopped or re-keyed.</summary>
    public async Task<int> DesiredAsync()
    {
        var (_, output) = await DockerCli.TryRunAsync("service", "inspect", "--format", "{{.Spec.Mode.Replicated.Replicas}}", Name);
        return int.TryParse(output.Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var n) ? n : -1;
    }

    /// <summary>Tasks running now, read with the local docker CLI.</summary>
    public async Task<int> LocalRunningAsync()
    {
        var (_, output) = await DockerCli.TryRunAsync("service", "ps", "--filter", "desired-state=running", "--format", "{{.CurrentState}}", Name);
        return output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Count(l => l.StartsWith("Running", StringComparison.Ordinal));
    }

    public async ValueTask DisposeAsync()
    {
        await DockerCli.TryRunAsync("service", "rm", Name);
        if (_session is not null)
        {
            await _session.DisposeAsync();
        }

        if (_ssh is not null)
        {
            await _ssh.DisposeAsync();
        }

        _dir.Dispose();
    }
}
