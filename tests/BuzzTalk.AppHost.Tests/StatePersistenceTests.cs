using Aspire.Hosting.Testing;
using BuzzTalk.AppHost.Resources;
using BuzzTalk.Testing;
using StackExchange.Redis;

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

        var key = "restart-" + room;

        await using (var first = await StackHost.StartAsync(profile, state.Path, cts.Token))
        {
            using var http = first.Client("frontend");
            await ChatApi.PostAsync(http, "/backend", room, "erin", "written before the restart", cts.Token);
            // Redis keeps the seed's RDB snapshot schedule, and a snapshot is also written when it shuts down.
            await using var redis = await RedisAsync(first);
            Assert.True(await redis.GetDatabase().StringSetAsync(key, "set before the restart"));
        }

        await using (var second = await StackHost.StartAsync(profile, state.Path, cts.Token))
        {
            using var http = second.Client("frontend");
            Assert.Contains("written before the restart", await ChatApi.TextsAsync(http, "/backend", room, cts.Token));
            await using var redis = await RedisAsync(second);
            Assert.Equal("set before the restart", (string?)await redis.GetDatabase().StringGetAsync(key));
        }

        Assert.Equal(samplesBefore, Snapshot(samples));
        Assert.True(File.Exists(Path.Combine(state.Path, mysqlData, "ibdata1")), "MariaDB keeps its data in the state directory");
        Assert.True(File.Exists(Path.Combine(state.Path, nginx, "nginx.conf")), "the generated nginx config lives in the state directory");
    }

    private static async Task<ConnectionMultiplexer> RedisAsync(StackHost host)
    {
        var endpoint = host.App.GetEndpoint(RedisResources.Name, RedisResources.EndpointName);
        return await ConnectionMultiplexer.ConnectAsync(new ConfigurationOptions
        {
            EndPoints = { { endpoint.Host, endpoint.Port } },
            Password = StackHost.RedisPassword,
            AbortOnConnectFail = true,
        });
    }

    private static string[] Snapshot(string directory) =>
        [.. Directory.EnumerateFileSystemEntries(directory, "*", SearchOption.AllDirectories).Order(StringComparer.Ordinal)];
}
