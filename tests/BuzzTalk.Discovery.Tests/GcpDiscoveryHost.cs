using BuzzTalk.Discovery.Tests.Fakes;

namespace BuzzTalk.Discovery.Tests;

/// <summary>Discovery with its GCP provider pointed at a <see cref="FakeGcp"/> with a service-account key file.</summary>
public static class GcpDiscoveryHost
{
    /// <summary>
    /// The configuration: a key file written into <paramref name="directory"/>, the loop refreshing once at
    /// start (tests drive further refreshes), quick retries, the preemption watch off (its polls would add Compute
    /// calls and take injected failures; its own tests turn it on); <paramref name="overrides"/> last.
    /// </summary>
    public static async Task<Dictionary<string, string?>> ConfigurationAsync(
        FakeGcp gcp, string project, string directory, params (string Key, string? Value)[] overrides)
    {
        var keyFile = Path.Combine(directory, "key.json");
        await File.WriteAllTextAsync(keyFile, gcp.ServiceAccountKeyJson(project));
        var configuration = new Dictionary<string, string?>
        {
            ["Discovery:Provider"] = "Gcp",
            ["Discovery:RefreshInterval"] = "01:00:00",
            ["Discovery:Gcp:ProjectId"] = project,
            ["Discovery:Gcp:Credentials"] = "ServiceAccountKeyFile",
            ["Discovery:Gcp:KeyFile"] = keyFile,
            ["Discovery:Gcp:ApiBaseUrl"] = gcp.ComputeBaseUrl.ToString(),
            ["Discovery:Gcp:RetryDelay"] = "00:00:00.010",
            ["Discovery:Gcp:PreemptionPollInterval"] = "00:00:00",
        };
        foreach (var (key, value) in overrides)
        {
            configuration[key] = value;
        }

        return configuration;
    }

    /// <summary>Starts Discovery and waits for the outcome of its first refresh.</summary>
    public static async Task<DiscoveryHost> StartAsync(
        FakeGcp gcp, string project, string directory, params (string Key, string? Value)[] overrides)
    {
        var host = await DiscoveryHost.StartAsync(await ConfigurationAsync(gcp, project, directory, overrides));
        try
        {
            await host.WaitForAsync(s => s.IsLoaded || s.ConsecutiveFailures > 0);
            return host;
        }
        catch
        {
            await host.DisposeAsync();
            throw;
        }
    }
}
