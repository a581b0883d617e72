using System.Text.Json;
using BuzzTalk.Discovery.Tests.Servers;
using BuzzTalk.Fleet.Inventory;
using BuzzTalk.Testing;

namespace BuzzTalk.Discovery.Tests.Outputs;

public sealed class FileSdWriterTests
{
    [Fact]
    public async Task Files_are_written_on_the_first_refresh_and_rewritten_only_when_the_content_changes()
    {
        using var dir = new ScratchDirectory();
        var json = Path.Combine(dir.Path, "sd", "instances.json");
        var yaml = Path.Combine(dir.Path, "sd", "instances.yml");
        var instances = Path.Combine(dir.Path, "instances.json");
        await File.WriteAllTextAsync(instances, """[{"name":"a","publicIp":"127.0.0.11","zone":"z1"}]""");
        await using var host = await DiscoveryHost.StartAsync(new Dictionary<string, string?>
        {
            ["Discovery:Provider"] = "File",
            ["Discovery:InstancesFile"] = instances,
            ["Discovery:FileSd:JsonPath"] = json,
            ["Discovery:FileSd:YamlPath"] = yaml,
        });
        await host.WaitForAsync(s => s.IsLoaded);
        var firstJson = File.GetLastWriteTimeUtc(json);
        var inode = new FileInfo(yaml).LastWriteTimeUtc;

        Assert.True(await host.Refresher.RefreshAsync(CancellationToken.None));
        Assert.Equal(firstJson, File.GetLastWriteTimeUtc(json));
        Assert.Equal(inode, new FileInfo(yaml).LastWriteTimeUtc);
        Assert.Empty(Directory.GetFiles(Path.GetDirectoryName(json)!, "*.tmp"));

        await File.WriteAllTextAsync(instances, """[{"name":"a","publicIp":"127.0.0.11","zone":"z1"},{"name":"b","publicIp":"127.0.0.12"}]""");
        Assert.True(await host.Refresher.RefreshAsync(CancellationToken.None));
        var groups = JsonSerializer.Deserialize(await File.ReadAllTextAsync(json), TargetGroupJsonContext.Default.ListTargetGroup)!;
        Assert.Equal(["127.0.0.11", "127.0.0.12"], groups.SelectMany(g => g.Targets));
        Assert.Contains("instance_name: \"b\"", await File.ReadAllTextAsync(yaml), StringComparison.Ordinal);
    }

    [Fact]
    public void Yaml_holds_only_targets_and_labels_with_every_value_quoted()
    {
        var groups = new List<TargetGroup>
        {
            new(["127.0.0.11"], new Dictionary<string, string> { ["instance"] = "a", ["managed_group"] = "", ["instance_id"] = "0123" }),
        };

        var yaml = System.Text.Encoding.UTF8.GetString(BuzzTalk.Discovery.Outputs.FileSdWriter.Yaml(groups));

        Assert.Equal(
            "- targets:\n  - \"127.0.0.11\"\n  labels:\n    instance: \"a\"\n    managed_group: \"\"\n    instance_id: \"0123\"\n",
            yaml.Replace("\r\n", "\n", StringComparison.Ordinal));
    }
}
