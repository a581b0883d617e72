using System.Globalization;
using System.Text.Json;
using Aspire.Hosting;
using Aspire.Hosting.Testing;
using BuzzTalk.Fleet.Ssh;
using BuzzTalk.Testing;

namespace BuzzTalk.AppHost.Tests.LocalFleet;

/// <summary>
/// The AppHost's local fleet (<c>BuzzTalk:Fleet=local</c> on the processes profile, the fleet's
/// images, fixed ports, no demo), running, and <c>aspire deploy</c> (the Aspire CLI local tool)
/// pointed at it. Disposing stops the AppHost and removes the fleet's stack.
/// </summary>
public sealed class AspireDeployFleet : IAsyncDisposable
{
    private readonly ScratchDirectory _state;
    private readonly DistributedApplication _app;

    private AspireDeployFleet(ScratchDirectory state, DistributedApplication app, FleetImages images, int frontendPort, string[] arguments)
    {
        _state = state;
        _app = app;
        Images = images;
        FrontendPort = frontendPort;
        Arguments = arguments;
    }

    public FleetImages Images { get; }

    /// <summary>The instance's edge port: the site is <see cref="Site"/>.</summary>
    public int FrontendPort { get; }

    public Uri Site => new($"http://127.0.0.1:{FrontendPort.ToString(CultureInfo.InvariantCulture)}");

    /// <summary>The AppHost's arguments for this fleet, which a deploy repeats so it publishes for it.</summary>
    public string[] Arguments { get; }

    public static async Task<AspireDeployFleet> StartAsync(CancellationToken cancellationToken)
    {
        var images = await FleetImages.BuildAsync(cancellationToken);
        // The fleet's stack name is fixed: one left by an earlier run is not this fleet's.
        await DockerCli.RemoveStackAsync("buzztalk", TimeSpan.FromMinutes(2));
        var state = new ScratchDirectory();
        var frontendPort = ServerProcess.FreePort();
        // Fixed ports: the deploy publishes for the fleet that runs.
        string[] arguments =
        [
            "--BuzzTalk:LocalRuntime", "processes", "--BuzzTalk:StateDirectory", state.Path,
            "--BuzzTalk:Fleet", "local", "--BuzzTalk:LocalFleet:Demo", "off",
            "--BuzzTalk:LocalFleet:FrontendPort", Port(frontendPort),
            "--BuzzTalk:LocalFleet:NodeExporterPort", Port(ServerProcess.FreePort()),
            "--BuzzTalk:LocalFleet:CadvisorPort", Port(ServerProcess.FreePort()),
            .. images.Arguments,
        ];
        DistributedApplication? app = null;
        try
        {
            var builder = await DistributedApplicationTestingBuilder.CreateAsync<Projects.BuzzTalk_AppHost>(arguments, cancellationToken);
            app = await builder.BuildAsync(cancellationToken);
            await app.StartAsync(cancellationToken);
            // The deployer starts once the fleet's SSH, MySQL and Redis are up, after writing its settings file.
            await app.ResourceNotifications.WaitForResourceHealthyAsync("deployer", cancellationToken);
            return new AspireDeployFleet(state, app, images, frontendPort, arguments);
        }
        catch
        {
            if (app is not null)
            {
                await app.DisposeAsync();
            }

            await DockerCli.RemoveStackAsync("buzztalk", TimeSpan.FromMinutes(2));
            state.Dispose();
            throw;
        }
    }

    /// <summary><c>aspire deploy --no-build --non-interactive</c> with the fleet's arguments and <paramref name="deploy"/>.</summary>
    public Task<(int ExitCode, string Output)> DeployAsync(params string[] deploy)
    {
        var project = Projects.BuzzTalk_AppHost.ProjectPath;
        return ToolRun.RunAsync("dotnet", Path.GetDirectoryName(project)!,
            ["tool", "run", "aspire", "--", "deploy", "--apphost", project, "--no-build", "--non-interactive",
                "-o", Path.Combine(_state.Path, "deploy-" + Guid.NewGuid().ToString("N")[..8]), "--", .. Arguments, .. deploy]);
    }

    /// <summary>
    /// The fleet's Deployer settings with the inventory written out instead of read from
    /// Discovery (<c>Deployer:Instances</c>), as for a cloud fleet without a Discovery service.
    /// </summary>
    public string WriteStaticInventorySettings()
    {
        var settings = System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllText(Path.Combine(_state.Path, "fleet", "deployer.json")))!;
        var deployer = settings["Deployer"]!.AsObject();
        if (!deployer.Remove("DiscoveryUrl"))
        {
            throw new InvalidOperationException("The fleet's Deployer settings do not read Discovery.");
        }

        deployer["Instances"] = new System.Text.Json.Nodes.JsonArray(new System.Text.Json.Nodes.JsonObject { ["Name"] = "local-1", ["Host"] = "127.0.0.1" });
        var path = Path.Combine(_state.Path, "static-inventory.json");
        File.WriteAllText(path, settings.ToJsonString());
        return path;
    }

    /// <summary>SSH to the instance as the Deployer reaches it, from the settings file the fleet wrote; and its lease folder.</summary>
    public (SshHostSession Session, string LeaseDirectory) Instance()
    {
        using var settings = JsonDocument.Parse(File.ReadAllText(Path.Combine(_state.Path, "fleet", "deployer.json")));
        var deployer = settings.RootElement.GetProperty("Deployer");
        var ssh = deployer.GetProperty("Ssh");
        return (new SshHostSession("127.0.0.1", new SshHostOptions
        {
            User = ssh.GetProperty("User").GetString()!,
            Port = int.Parse(ssh.GetProperty("Port").GetString()!, CultureInfo.InvariantCulture),
            PrivateKeyFile = ssh.GetProperty("PrivateKeyFile").GetString()!,
            KnownHostsFile = ssh.GetProperty("KnownHostsFile").GetString()!,
        }), deployer.GetProperty("LeaseDirectory").GetString()!);
    }

    public async ValueTask DisposeAsync()
    {
        await _app.DisposeAsync();
        // The fleet's stack outlives the AppHost on purpose (it is the instance's); not a test's.
        await DockerCli.RemoveStackAsync("buzztalk", TimeSpan.FromMinutes(2));
        _state.Dispose();
    }

    private static string Port(int port) => port.ToString(CultureInfo.InvariantCulture);
}
