using System.Text.Json;
using BuzzTalk.AppHost.Publish;
using BuzzTalk.Publishing;
using BuzzTalk.Publishing.SpotFleet;
using BuzzTalk.Publishing.Stack;
using BuzzTalk.Testing;

namespace BuzzTalk.AppHost.Tests.Publishing.Stack;

/// <summary>
/// The published stack deployed onto the local swarm with the images swapped for local test
/// images (busybox httpd for backend and exporters, the host's nginx for the edge and the SPA) and the
/// host ports swapped for free ones. Everything else is the published file. Removed on dispose.
/// </summary>
public sealed class LocalStackDeployment : IAsyncDisposable
{
    private readonly ScratchDirectory _scratch = new();

    private readonly IReadOnlyCollection<string>? _asPublished;

    private LocalStackDeployment(string name, IReadOnlyCollection<string>? asPublished)
    {
        Name = name;
        _asPublished = asPublished;
    }

    public string Name { get; }

    public int FrontendPort { get; } = ServerProcess.FreePort();

    public string BundleDirectory => Path.Combine(_scratch.Path, "bundle");

    public string EnvDirectory => Path.Combine(_scratch.Path, "env");

    /// <summary>The instance's run directory (the drain flag), mounted into the frontend.</summary>
    public string RunDirectory => Path.Combine(_scratch.Path, "run");

    /// <summary>The edge's config folder, where the Deployer installs the release's nginx.conf.</summary>
    public string EdgeDirectory => Path.Combine(_scratch.Path, "edge");

    /// <summary>The stack's services, as deployed.</summary>
    public int ServiceCount { get; private set; }

    /// <param name="adjust">Changes the publish settings (the real AppHost's) before the bundle is composed.</param>
    /// <param name="asPublished">Services that keep their published image, command and health check.</param>
    public static async Task<LocalStackDeployment> DeployAsync(Func<PublishSettings, PublishSettings>? adjust = null, IReadOnlyCollection<string>? asPublished = null)
    {
        var deployment = new LocalStackDeployment("bt" + Guid.NewGuid().ToString("N")[..6], asPublished);
        try
        {
            var settings = PublishedModel.Settings("http://127.0.0.1", deployment.Name);
            settings = adjust?.Invoke(settings) ?? settings;
            deployment.ServiceCount = settings.Services.Count + 3;
            await BundleWriter.WriteAsync(deployment.BundleDirectory, BundleComposer.Compose(settings), CancellationToken.None);
            var stackFile = Path.Combine(deployment.BundleDirectory, StackFileGenerator.StackPath);
            await File.WriteAllTextAsync(stackFile, deployment.WithTestImages(await File.ReadAllTextAsync(stackFile)));

            Directory.CreateDirectory(deployment.EnvDirectory);
            Directory.CreateDirectory(deployment.RunDirectory);
            Directory.CreateDirectory(deployment.EdgeDirectory);
            File.Copy(Path.Combine(deployment.BundleDirectory, StackFileGenerator.NginxPath),
                Path.Combine(deployment.EdgeDirectory, BuzzTalk.Fleet.Swarm.InstanceEdge.ConfigFile));
            await File.WriteAllTextAsync(Path.Combine(deployment.EnvDirectory, "backend.env"), "MYSQL_DB_NAME=from-env-file\n");
            var (exit, output) = await ToolRun.RunAsync("docker", deployment.BundleDirectory,
                new Dictionary<string, string>
                {
                    [StackFileGenerator.EnvDirectoryVariable] = deployment.EnvDirectory,
                    [StackFileGenerator.RunDirectoryVariable] = deployment.RunDirectory,
                    [BuzzTalk.Fleet.Swarm.InstanceEdge.DirectoryVariable] = deployment.EdgeDirectory,
                },
                "stack", "deploy", "-c", StackFileGenerator.StackPath, deployment.Name);
            if (exit != 0)
            {
                throw new InvalidOperationException($"docker stack deploy exited {exit}: {output}");
            }

            return deployment;
        }
        catch
        {
            await deployment.DisposeAsync();
            throw;
        }
    }

    /// <summary>Waits until every service of the stack runs all its replicas.</summary>
    public async Task WaitConvergedAsync(TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        var last = "";
        while (!cts.IsCancellationRequested)
        {
            var (exit, output) = await ToolRun.RunAsync("docker", Path.GetTempPath(),
                "service", "ls", "--filter", $"label=com.docker.stack.namespace={Name}", "--format", "{{json .}}");
            last = output;
            var services = output.Split('\n', StringSplitOptions.RemoveEmptyEntries)
                .Select(line => JsonDocument.Parse(line).RootElement.GetProperty("Replicas").GetString() ?? "")
                .ToList();
            if (exit == 0 && services.Count == ServiceCount && services.All(Converged))
            {
                return;
            }

            await Task.Delay(500, CancellationToken.None);
        }

        var (_, tasks) = await ToolRun.RunAsync("docker", Path.GetTempPath(), "stack", "ps", Name, "--no-trunc");
        throw new TimeoutException($"Stack {Name} did not converge in {timeout}:\n{last}\n{tasks}");
    }

    /// <summary><c>docker service &lt;verb&gt; ... &lt;stack&gt;_&lt;service&gt;</c>.</summary>
    public Task<string> ServiceAsync(string verb, string service, params string[] options) =>
        ToolRun.RunCheckedAsync("docker", Path.GetTempPath(), ["service", verb, .. options, $"{Name}_{service}"]);

    public async ValueTask DisposeAsync()
    {
        await ToolRun.RunAsync("docker", Path.GetTempPath(), "stack", "rm", Name);
        // Configs and networks go once their tasks are gone; the stack's names are unique, so
        // anything left behind cannot disturb another run.
        _scratch.Dispose();
    }

    private static bool Converged(string replicas)
    {
        // "2/2" or "1/1 (max 1 per node)"
        var parts = replicas.Split(' ')[0].Split('/');
        return parts.Length == 2 && parts[0] == parts[1] && parts[0] != "0";
    }

    private string WithTestImages(string yaml) => TestStackFile.Rewrite(yaml, FrontendPort, asPublished: _asPublished);
}
