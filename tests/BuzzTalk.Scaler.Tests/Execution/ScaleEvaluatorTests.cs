using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using BuzzTalk.Fleet.Leases;
using BuzzTalk.Fleet.Ssh;
using BuzzTalk.Fleet.Swarm;
using BuzzTalk.Testing;

namespace BuzzTalk.Scaler.Tests.Execution;

/// <summary>
/// The Scaler's own evaluator against the real swarm: a service that burns its whole CPU limit
/// gets a second replica without any alert.
/// </summary>
public sealed class ScaleEvaluatorTests : IAsyncLifetime
{
    private readonly string _service = "bt-eval-" + Guid.NewGuid().ToString("N")[..8];
    private readonly ScratchDirectory _dir = new();
    private SshServer? _ssh;
    private SshHostSession? _session;

    private string LeaseDirectory => Path.Combine(_dir.Path, "lease");

    public async Task InitializeAsync()
    {
        _ssh = await SshServer.StartAsync();
        _session = new SshHostSession("127.0.0.1", new SshHostOptions { User = _ssh.User, PrivateKeyFile = _ssh.ClientKeyFile, Port = _ssh.Port },
            KnownHosts.Parse(_ssh.KnownHostsLine));
        // Busy-loops inside a 0.05 CPU limit: usage at 100 % of its limit, on any machine.
        await DockerCli.RunAsync("service", "create", "--detach", "--name", _service, "--replicas", "1",
            "--limit-cpu", "0.05", "--limit-memory", "32M", "buzztalk/busybox:test", "sh", "-c", "while :; do :; done");
        await new SwarmClient(_session).WaitForRunningAsync(_service, 1, TimeSpan.FromSeconds(60), TimeSpan.FromMilliseconds(200));
    }

    public async Task DisposeAsync()
    {
        await DockerCli.TryRunAsync("service", "rm", _service);
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

    private async Task<WebServiceHost> StartScalerAsync()
    {
        var knownHosts = Path.Combine(_dir.Path, "known_hosts");
        await File.WriteAllTextAsync(knownHosts, _ssh!.KnownHostsLine + "\n");
        return await ScalerHost.StartAsync(new Dictionary<string, string?>
        {
            ["Scaler:Ssh:User"] = _ssh.User,
            ["Scaler:Ssh:PrivateKeyFile"] = _ssh.ClientKeyFile,
            ["Scaler:Ssh:KnownHostsFile"] = knownHosts,
            ["Scaler:Ssh:Port"] = _ssh.Port.ToString(CultureInfo.InvariantCulture),
            ["Scaler:Instances:0:Name"] = "local",
            ["Scaler:Instances:0:PublicIp"] = "127.0.0.1",
            [$"Scaler:Services:{_service}:Min"] = "1",
            [$"Scaler:Services:{_service}:Max"] = "2",
            ["Scaler:LeaseDirectory"] = LeaseDirectory,
            ["Scaler:PollInterval"] = "00:00:00.200",
            ["Scaler:Evaluator:Interval"] = "00:00:01",
            ["Scaler:Evaluator:Window"] = "00:00:03",
            ["Scaler:TargetTracking:ScaleUpStabilization"] = "00:00:02",
        });
    }

    private async Task<int?> DesiredAsync() => (await new SwarmClient(_session!).GetServiceAsync(_service))!.DesiredReplicas;

    [Fact]
    public async Task Sustained_overload_adds_a_replica_without_any_alert()
    {
        await using var scaler = await StartScalerAsync();

        // The decision is recorded once the second replica runs.
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(90));
        JsonArray? decisions;
        while (!(decisions = await scaler.Http.GetFromJsonAsync<JsonArray>("/api/decisions", cts.Token))!.Any(d => d!["result"]!.GetValue<string>() == "scaled"))
        {
            await Task.Delay(TimeSpan.FromMilliseconds(250), cts.Token);
        }

        Assert.Equal(2, await DesiredAsync());
        var scaled = Assert.Single(decisions!, d => d!["result"]!.GetValue<string>() == "scaled");
        Assert.Equal("Evaluator", scaled!["source"]!.GetValue<string>());
        Assert.Equal(1, scaled["from"]!.GetValue<int>());
        Assert.Equal(2, scaled["to"]!.GetValue<int>());
    }

    [Fact]
    public async Task While_the_deploy_lease_is_held_the_evaluator_defers()
    {
        await new DeployLease(_session!, LeaseDirectory).AcquireAsync("deployer-test", "deploy", TimeSpan.FromMinutes(5));
        await using var scaler = await StartScalerAsync();

        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        JsonArray? decisions;
        while (!(decisions = await scaler.Http.GetFromJsonAsync<JsonArray>("/api/decisions", cts.Token))!.Any(d => d!["result"]!.GetValue<string>() == "deferred"))
        {
            await Task.Delay(TimeSpan.FromMilliseconds(250), cts.Token);
        }

        Assert.DoesNotContain(decisions!, d => d!["result"]!.GetValue<string>() == "scaled");
        Assert.Equal(1, await DesiredAsync());
    }
}
