using BuzzTalk.AppHost.Runtime;

namespace BuzzTalk.AppHost.Tests.Runtime;

public sealed class LocalRuntimeSelectorTests
{
    private static readonly string[] s_images = ["ghcr.io/buzz-talk/buzz-talk-backend:latest", "docker.io/library/redis:7.4"];

    [Theory]
    [InlineData(LocalRuntime.Containers)]
    [InlineData(LocalRuntime.Processes)]
    public async Task An_explicit_profile_is_taken_without_asking_the_engine(LocalRuntime requested)
    {
        var probe = new FakeEngineProbe(engine: null);

        var choice = await LocalRuntimeSelector.SelectAsync(requested, s_images, probe, CancellationToken.None);

        Assert.Equal(requested, choice.Runtime);
        Assert.Equal(0, probe.Calls);
    }

    [Fact]
    public async Task Auto_runs_processes_when_no_engine_answers()
    {
        var choice = await LocalRuntimeSelector.SelectAsync(LocalRuntime.Auto, s_images, new FakeEngineProbe(engine: null), CancellationToken.None);

        Assert.Equal(LocalRuntime.Processes, choice.Runtime);
        Assert.Contains("no Docker or Podman engine", choice.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Auto_runs_containers_when_the_engine_has_every_image()
    {
        var probe = new FakeEngineProbe("unix:///var/run/docker.sock", s_images);

        var choice = await LocalRuntimeSelector.SelectAsync(LocalRuntime.Auto, s_images, probe, CancellationToken.None);

        Assert.Equal(LocalRuntime.Containers, choice.Runtime);
    }

    [Fact]
    public async Task Auto_runs_processes_and_names_the_missing_images_when_one_is_absent()
    {
        var probe = new FakeEngineProbe("unix:///var/run/docker.sock", ["docker.io/library/redis:7.4"]);

        var choice = await LocalRuntimeSelector.SelectAsync(LocalRuntime.Auto, s_images, probe, CancellationToken.None);

        Assert.Equal(LocalRuntime.Processes, choice.Runtime);
        Assert.Contains("ghcr.io/buzz-talk/buzz-talk-backend:latest", choice.Reason, StringComparison.Ordinal);
        Assert.DoesNotContain("redis", choice.Reason, StringComparison.Ordinal);
    }

    private sealed class FakeEngineProbe(string? engine, IEnumerable<string>? images = null) : IContainerEngineProbe
    {
        private readonly HashSet<string> _images = [.. images ?? []];

        public int Calls { get; private set; }

        public Task<string?> FindEngineAsync(CancellationToken cancellationToken)
        {
            Calls++;
            return Task.FromResult(engine);
        }

        public Task<bool> HasImageAsync(string image, CancellationToken cancellationToken)
        {
            Calls++;
            return Task.FromResult(_images.Contains(image));
        }
    }
}
