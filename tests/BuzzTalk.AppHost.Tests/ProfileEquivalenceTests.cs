using Aspire.Hosting;
using Aspire.Hosting.ApplicationModel;
using Aspire.Hosting.Testing;
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

    private readonly ScratchDirectory _state = new();
    private IDistributedApplicationTestingBuilder? _processes;
    private IDistributedApplicationTestingBuilder? _containers;

    public async Task InitializeAsync()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        _processes = await DistributedApplicationTestingBuilder.CreateAsync<Projects.BuzzTalk_AppHost>(
            ["--BuzzTalk:LocalRuntime", "processes", "--BuzzTalk:StateDirectory", _state.Path], cts.Token);
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
            Assert.Equal(Endpoints(resource), Endpoints(containers[name]));
        }

        static string[] Endpoints(IResource resource) =>
            [.. resource.Annotations.OfType<EndpointAnnotation>().Select(e => $"{e.Name} {e.UriScheme}").Order(StringComparer.Ordinal)];
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
    public async Task Both_profiles_give_a_resource_the_same_environment(string name)
    {
        var processes = await ModelInspection.EnvAsync(_processes!.Resources.Single(r => r.Name == name));
        var containers = await ModelInspection.EnvAsync(_containers!.Resources.Single(r => r.Name == name));
        foreach (var variable in s_processesOnlyVariables)
        {
            processes.Remove(variable);
        }

        // Same names and the same values: hosts and ports are the same references, resolved per network when running.
        Assert.Equal(processes.OrderBy(e => e.Key, StringComparer.Ordinal), containers.OrderBy(e => e.Key, StringComparer.Ordinal));
    }
}
