using BuzzTalk.Testing;

namespace BuzzTalk.AppHost.Tests;

/// <summary>One running stack shared by the tests of <see cref="ProcessesProfileTests"/>.</summary>
public sealed class ProcessesStackFixture : IAsyncLifetime
{
    private readonly ScratchDirectory _state = new();
    private StackHost? _host;

    public StackHost Host => _host ?? throw new InvalidOperationException("The stack did not start.");

    public async Task InitializeAsync()
    {
        using var cts = new CancellationTokenSource(StackHost.StartTimeout);
        _host = await StackHost.StartAsync(_state.Path, cts.Token);
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
