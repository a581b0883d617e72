using BuzzTalk.Testing;

namespace BuzzTalk.AppHost.Tests;

/// <summary>One running stack of one profile, shared by the tests of a <see cref="StackProfileTests"/> class.</summary>
public abstract class StackFixture(StackProfile profile) : IAsyncLifetime
{
    private readonly ScratchDirectory _state = new();
    private StackHost? _host;

    public StackHost Host => _host ?? throw new InvalidOperationException($"The {profile} stack did not start.");

    public async Task InitializeAsync()
    {
        using var cts = new CancellationTokenSource(StackHost.StartTimeout);
        _host = await StackHost.StartAsync(profile, _state.Path, cts.Token);
    }

    public async Task DisposeAsync()
    {
        if (_host is not null)
        {
            await _host.DisposeAsync();
        }

        _state.Dispose();
    }
}
