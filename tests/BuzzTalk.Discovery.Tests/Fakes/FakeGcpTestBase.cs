using BuzzTalk.Testing;

namespace BuzzTalk.Discovery.Tests.Fakes;

/// <summary>A test class's own Compute fake and scratch directory, started before each test and removed after it.</summary>
public abstract class FakeGcpTestBase : IAsyncLifetime
{
    private readonly ScratchDirectory _dir = new();
    private FakeGcp? _gcp;

    protected FakeGcp Gcp => _gcp!;

    /// <summary>The test's scratch directory (file_sd output, state).</summary>
    protected string Scratch => _dir.Path;

    public async Task InitializeAsync() => _gcp = await FakeGcp.StartAsync();

    public async Task DisposeAsync()
    {
        if (_gcp is not null)
        {
            await _gcp.DisposeAsync();
        }

        _dir.Dispose();
    }
}
