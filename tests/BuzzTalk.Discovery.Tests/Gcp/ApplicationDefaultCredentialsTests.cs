using BuzzTalk.Discovery.Tests.Fakes;
using BuzzTalk.Discovery.Tests.Servers;
using BuzzTalk.Testing;

namespace BuzzTalk.Discovery.Tests.Gcp;

[Collection(ProcessWideGroup.Name)]
public sealed class ApplicationDefaultCredentialsTests
{
    [Fact]
    public async Task Application_default_credentials_use_the_key_file_named_by_the_environment()
    {
        using var dir = new ScratchDirectory();
        await using var gcp = await FakeGcp.StartAsync();
        gcp.SetInstances("buzz-adc", [new FakeInstance("a1", "us-central1-a", "1", "10.0.0.1", "127.0.0.11")]);
        var keyFile = Path.Combine(dir.Path, "adc.json");
        await File.WriteAllTextAsync(keyFile, gcp.ServiceAccountKeyJson("buzz-adc"));
        var previous = Environment.GetEnvironmentVariable("GOOGLE_APPLICATION_CREDENTIALS");
        Environment.SetEnvironmentVariable("GOOGLE_APPLICATION_CREDENTIALS", keyFile);
        try
        {
            await using var host = await DiscoveryHost.StartAsync(new Dictionary<string, string?>
            {
                ["Discovery:Provider"] = "Gcp",
                ["Discovery:Gcp:ProjectId"] = "buzz-adc",
                ["Discovery:Gcp:Credentials"] = "ApplicationDefault",
                ["Discovery:Gcp:ApiBaseUrl"] = gcp.ComputeBaseUrl.ToString(),
            });

            var snapshot = await host.WaitForAsync(s => s.IsLoaded || s.ConsecutiveFailures > 0);

            Assert.Equal(["a1"], snapshot.Instances.Select(i => i.Name));
            Assert.Equal(1, gcp.TokenRequests);
        }
        finally
        {
            Environment.SetEnvironmentVariable("GOOGLE_APPLICATION_CREDENTIALS", previous);
        }
    }
}
