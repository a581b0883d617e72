using BuzzTalk.Testing;

namespace BuzzTalk.AppHost.Tests;

/// <summary>The state directory keeps the data across AppHost runs and holds all that the stack writes.</summary>
[Collection(AppHostSerialGroup.Name)]
public sealed class StatePersistenceTests
{
    [Theory]
    [InlineData(StackProfile.Processes, "mysql/data", "nginx")]
    [InlineData(StackProfile.Containers, "mysql-container", "nginx-container")]
    public async Task Messages_survive_an_apphost_restart_and_nothing_is_written_outside_the_state_directory(
        StackProfile profile, string mysqlData, string nginx)
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromMinutes(6));
        using var state = new ScratchDirectory();
        var samples = Path.GetFullPath(Path.Combine(AppContext.BaseDirectory, "..", "..", "..", "..", "..", "samples"));
        var samplesBefore = Snapshot(samples);
        var room = ChatApi.NewRoom();

        await using (var first = await StackHost.StartAsync(profile, state.Path, cts.Token))
        {
            using var http = first.Client("frontend");
            await ChatApi.PostAsync(http, "/backend", room, "erin", "written before the restart", cts.Token);
        }

        await using (var second = await StackHost.StartAsync(profile, state.Path, cts.Token))
        {
            using var http = second.Client("frontend");
            Assert.Contains("written before the restart", await ChatApi.TextsAsync(http, "/backend", room, cts.Token));
        }

        Assert.Equal(samplesBefore, Snapshot(samples));
        Assert.True(File.Exists(Path.Combine(state.Path, mysqlData, "ibdata1")), "MariaDB keeps its data in the state directory");
        Assert.True(File.Exists(Path.Combine(state.Path, nginx, "nginx.conf")), "the generated nginx config lives in the state directory");
    }

    private static string[] Snapshot(string directory) =>
        [.. Directory.EnumerateFileSystemEntries(directory, "*", SearchOption.AllDirectories).Order(StringComparer.Ordinal)];
}
