using BuzzTalk.Discovery.Tests.Servers;
using BuzzTalk.Testing;

namespace BuzzTalk.Discovery.Tests.Providers;

public sealed class FileInstanceProviderTests
{
    [Fact]
    public async Task Edits_to_the_file_show_on_the_next_refresh_and_a_broken_file_keeps_the_last_good_list()
    {
        using var dir = new ScratchDirectory();
        var file = Path.Combine(dir.Path, "instances.json");
        await File.WriteAllTextAsync(file, """[{"name":"local-1","publicIp":"127.0.0.11","zone":"local"}]""");
        await using var host = await DiscoveryHost.StartAsync(new Dictionary<string, string?>
        {
            ["Discovery:Provider"] = "File",
            ["Discovery:InstancesFile"] = file,
        });
        await host.WaitForAsync(s => s.Instances.Count == 1);

        await File.WriteAllTextAsync(file, """[{"name":"local-1","publicIp":"127.0.0.11"},{"name":"local-2","publicIp":"127.0.0.12"}]""");
        Assert.True(await host.Refresher.RefreshAsync(CancellationToken.None));
        Assert.Equal(["local-1", "local-2"], host.Store.Current.Instances.Select(i => i.Name));

        await File.WriteAllTextAsync(file, """[{"name":"local-1","publicIp":""" ); // truncated mid-write
        Assert.False(await host.Refresher.RefreshAsync(CancellationToken.None));
        Assert.Equal(["local-1", "local-2"], host.Store.Current.Instances.Select(i => i.Name));
        Assert.Contains("not a JSON list of instances", host.Store.Current.LastError, StringComparison.Ordinal);
    }
}
