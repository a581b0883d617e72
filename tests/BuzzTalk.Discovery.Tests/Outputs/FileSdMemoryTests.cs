using System.Globalization;
using System.Text;
using BuzzTalk.Testing;

namespace BuzzTalk.Discovery.Tests.Outputs;

/// <summary>
/// The file_sd files are streamed, never built whole in memory. In the process-wide group: allocations are
/// counted for the whole process, so nothing else may run meanwhile.
/// </summary>
[Collection(ProcessWideGroup.Name)]
public sealed class FileSdMemoryTests
{
    [Fact]
    public async Task A_refresh_of_5000_instances_allocates_less_than_its_file_sd_files_hold()
    {
        using var dir = new ScratchDirectory();
        var json = Path.Combine(dir.Path, "sd", "instances.json");
        var yaml = Path.Combine(dir.Path, "sd", "instances.yml");
        var instances = Path.Combine(dir.Path, "instances.json");
        var list = new StringBuilder("[");
        for (var i = 0; i < 5000; i++)
        {
            list.Append(CultureInfo.InvariantCulture,
                $$"""{"name":"vm-{{i:D5}}","id":"{{1_000_000 + i}}","publicIp":"127.1.{{i / 250}}.{{i % 250 + 1}}","privateIp":"10.0.{{i / 250}}.{{i % 250 + 1}}","zone":"us-central1-a"}""");
            list.Append(i < 4999 ? "," : "]");
        }

        await File.WriteAllTextAsync(instances, list.ToString());
        await using var host = await DiscoveryHost.StartAsync(new Dictionary<string, string?>
        {
            ["Discovery:Provider"] = "File",
            ["Discovery:InstancesFile"] = instances,
            ["Discovery:RefreshInterval"] = "01:00:00",
            ["Discovery:FileSd:JsonPath"] = json,
            ["Discovery:FileSd:YamlPath"] = yaml,
        });
        await host.WaitForAsync(s => s.IsLoaded);
        Assert.Equal(5000, host.Store.Current.Instances.Count);
        Assert.True(await host.Refresher.RefreshAsync(CancellationToken.None)); // warm

        // The count is process-wide: the host's own background work can only add to it, so the
        // least of a few refreshes is the refresh's own figure.
        var allocated = long.MaxValue;
        for (var run = 0; run < 3; run++)
        {
            var before = GC.GetTotalAllocatedBytes(precise: true);
            Assert.True(await host.Refresher.RefreshAsync(CancellationToken.None));
            allocated = Math.Min(allocated, GC.GetTotalAllocatedBytes(precise: true) - before);
        }

        var files = new FileInfo(json).Length + new FileInfo(yaml).Length;
        Assert.True(allocated < files, $"a refresh allocated {allocated:N0} bytes; the files hold {files:N0}");
    }
}
