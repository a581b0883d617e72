using System.Globalization;
using Aspire.Hosting;
using Aspire.Hosting.ApplicationModel;
using Aspire.Hosting.Testing;
using BuzzTalk.AppHost.Resources;
using BuzzTalk.Testing;

namespace BuzzTalk.AppHost.Tests;

/// <summary>
/// The two local profiles' models side by side, built without starting anything: the same
/// resources, endpoints and environment, whatever runs them.
/// </summary>
public sealed class ProfileEquivalenceTests : IAsyncLifetime
{
    // What only one profile has: the processes' data-directory step, Python's own switches and the
    // port a process binds (a container always binds its image's port).
    private static readonly string[] s_processesOnlyResources = ["mysql-init"];
    private static readonly string[] s_processesOnlyVariables = ["PYTHONDONTWRITEBYTECODE", "PYTHONUNBUFFERED", "PORT"];

    // Where a container listens: its image's port, in its own network namespace. The same
    // resource as a process shares the host's, so it cannot have a fixed port: DCP gives it a free
    // one at start (no target port in the model), except nginx, whose config file names its port,
    // so the AppHost picks a free one up front.
    private static readonly Dictionary<string, int> s_containerPorts = new(StringComparer.Ordinal)
    {
        [RedisResources.Name] = 6379, // Aspire's Redis integration
        [MySqlResources.Name] = MySqlResources.ContainerPort,
        [BackendResources.Name] = BackendResources.ContainerPort,
        ["backend-2"] = BackendResources.ContainerPort,
        [FrontendResources.Name] = FrontendResources.ContainerPort,
    };

    private static readonly string[] s_portPickedUpFront = [FrontendResources.Name];

    // What only the containers have, by design: the images take their credentials from the
    // environment (Aspire's Redis runs `redis-server --requirepass "$REDIS_PASSWORD"`; the MariaDB
    // image's entrypoint creates the database and user from the official mysql image's MYSQL_*),
    // where the processes get the same parameters in private files written at start (redis.conf,
    // MariaDB's init file), never in their environment.
    private static readonly Dictionary<string, Dictionary<string, string>> s_containersOnlyVariables = new(StringComparer.Ordinal)
    {
        [RedisResources.Name] = new(StringComparer.Ordinal) { ["REDIS_PASSWORD"] = "{redis-password.value}" },
        [MySqlResources.Name] = new(StringComparer.Ordinal)
        {
            ["MYSQL_DATABASE"] = "{mysql-database.value}",
            ["MYSQL_USER"] = "{mysql-user.value}",
            ["MYSQL_PASSWORD"] = "{mysql-password.value}",
            ["MYSQL_RANDOM_ROOT_PASSWORD"] = "yes",
        },
    };

    private readonly ScratchDirectory _state = new();
    private IDistributedApplicationTestingBuilder? _processes;
    private IDistributedApplicationTestingBuilder? _containers;

    public async Task InitializeAsync()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        _processes = await DistributedApplicationTestingBuilder.CreateAsync<Projects.BuzzTalk_AppHost>(
            ["--BuzzTalk:LocalRuntime", "processes", "--BuzzTalk:StateDirectory", _state.Path], cts.Token);
        // Not `auto`, as the live tests reach it: auto asks the engine on this machine's own socket
        // (DOCKER_HOST or /var/run/docker.sock, read from the process environment, which a test cannot
        // change without changing it for the tests running beside it), so without a running engine it
        // would build the processes model. `containers` builds the same model with no engine.
        _containers = await DistributedApplicationTestingBuilder.CreateAsync<Projects.BuzzTalk_AppHost>(
            ["--BuzzTalk:LocalRuntime", "containers", "--BuzzTalk:StateDirectory", _state.Path], cts.Token);
    }

    public async Task DisposeAsync()
    {
        foreach (var builder in new[] { _processes, _containers })
        {
            if (builder is not null)
            {
                await builder.DisposeAsync();
            }
        }

        _state.Dispose();
    }

    private static IEnumerable<IResource> Workloads(IDistributedApplicationTestingBuilder builder) =>
        builder.Resources.Where(r => r is not ParameterResource && !(r is IResourceWithParent { Parent: ProjectResource }));

    [Fact]
    public void Both_profiles_have_the_same_resources_with_the_same_endpoints()
    {
        var processes = Workloads(_processes!).Where(r => !s_processesOnlyResources.Contains(r.Name)).ToDictionary(r => r.Name);
        var containers = Workloads(_containers!).ToDictionary(r => r.Name);

        Assert.Equal(processes.Keys.Order(StringComparer.Ordinal), containers.Keys.Order(StringComparer.Ordinal));
        foreach (var (name, resource) in processes)
        {
            // Name, scheme, host port and proxying: what a client of the resource sees.
            Assert.Equal(Endpoints(resource), Endpoints(containers[name]));

            var processTargets = TargetPorts(resource);
            var containerTargets = TargetPorts(containers[name]);
            if (s_containerPorts.TryGetValue(name, out var containerPort))
            {
                Assert.Equal([containerPort], containerTargets);
                var processTarget = Assert.Single(processTargets);
                if (s_portPickedUpFront.Contains(name))
                {
                    Assert.NotNull(processTarget);
                    Assert.NotEqual(containerPort, processTarget);
                }
                else
                {
                    Assert.Null(processTarget);
                }
            }
            else
            {
                // Everything else (the C# services) runs as the same process in both profiles.
                Assert.Equal(processTargets, containerTargets);
            }
        }

        static string[] Endpoints(IResource resource) =>
            [.. resource.Annotations.OfType<EndpointAnnotation>()
                .Select(e => $"{e.Name} {e.UriScheme} {e.Port?.ToString(CultureInfo.InvariantCulture) ?? "-"} {(e.IsProxied ? "proxied" : "direct")}")
                .Order(StringComparer.Ordinal)];

        static int?[] TargetPorts(IResource resource) =>
            [.. resource.Annotations.OfType<EndpointAnnotation>().OrderBy(e => e.Name, StringComparer.Ordinal).Select(e => e.TargetPort)];
    }

    [Fact]
    public void Building_either_model_writes_nothing_to_the_state_directory()
    {
        // Directories, configs and keys are made when the app starts (BeforeStartEvent and each
        // resource's before-start callback), so inspecting or publishing a model leaves no trace.
        Assert.NotEmpty(Workloads(_processes!));
        Assert.Empty(Directory.EnumerateFileSystemEntries(_state.Path));
    }

    [Theory]
    [InlineData("backend")]
    [InlineData("backend-2")]
    [InlineData("backend-migrate")]
    [InlineData("discovery")]
    [InlineData("scaler")]
    [InlineData("deployer")]
    [InlineData("frontend")]
    [InlineData("redis")]
    [InlineData("mysql")]
    public async Task Both_profiles_give_a_resource_the_same_environment(string name)
    {
        var processes = await ModelInspection.EnvAsync(_processes!.Resources.Single(r => r.Name == name));
        var containers = await ModelInspection.EnvAsync(_containers!.Resources.Single(r => r.Name == name));
        foreach (var variable in s_processesOnlyVariables)
        {
            processes.Remove(variable);
        }

        foreach (var (variable, value) in s_containersOnlyVariables.GetValueOrDefault(name) ?? [])
        {
            Assert.False(processes.ContainsKey(variable), $"{name}'s process has {variable} in its environment");
            Assert.Equal(value, containers.GetValueOrDefault(variable));
            containers.Remove(variable);
        }

        // Same names and the same values: hosts and ports are the same references, resolved per network when running.
        Assert.Equal(processes.OrderBy(e => e.Key, StringComparer.Ordinal), containers.OrderBy(e => e.Key, StringComparer.Ordinal));
    }
}
