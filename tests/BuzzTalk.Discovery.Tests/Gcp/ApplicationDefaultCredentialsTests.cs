using System.Text.Json.Nodes;
using BuzzTalk.Discovery.Refresh;
using BuzzTalk.Discovery.Tests.Fakes;
using BuzzTalk.Testing;

namespace BuzzTalk.Discovery.Tests.Gcp;

/// <summary>
/// Application default credentials in Google's order: <c>GOOGLE_APPLICATION_CREDENTIALS</c>, gcloud's
/// well-known file, the metadata server. Every other place is emptied so the test sees only its own.
/// </summary>
[Collection(ProcessWideGroup.Name)]
public sealed class ApplicationDefaultCredentialsTests : IAsyncLifetime
{
    private const string Project = "buzz-adc";
    private readonly ScratchDirectory _dir = new();
    private FakeGcp? _gcp;

    private FakeGcp Gcp => _gcp!;

    /// <summary>HOME with no gcloud directory in it.</summary>
    private string EmptyHome => Directory.CreateDirectory(Path.Combine(_dir.Path, "home")).FullName;

    public async Task InitializeAsync()
    {
        _gcp = await FakeGcp.StartAsync();
        Gcp.SetInstances(Project, [new FakeInstance("a1", "us-central1-a", "1", "10.0.0.1", "127.0.0.11")]);
    }

    public async Task DisposeAsync()
    {
        if (_gcp is not null)
        {
            await _gcp.DisposeAsync();
        }

        _dir.Dispose();
    }

    [Fact]
    public async Task Application_default_credentials_use_the_key_file_named_by_the_environment()
    {
        var keyFile = Path.Combine(_dir.Path, "adc.json");
        await File.WriteAllTextAsync(keyFile, Gcp.ServiceAccountKeyJson(Project));
        using var env = new EnvironmentOverride(
            ("GOOGLE_APPLICATION_CREDENTIALS", keyFile), ("CLOUDSDK_CONFIG", null), ("HOME", EmptyHome), ("GCE_METADATA_HOST", null));

        var snapshot = await RefreshAsync();

        Assert.Equal(["a1"], snapshot.Instances.Select(i => i.Name));
        Assert.Equal(1, Gcp.TokenRequests);
        Assert.Equal(0, Gcp.MetadataRequests);
    }

    [Fact]
    public async Task Gclouds_user_credentials_in_its_well_known_file_are_exchanged_with_the_refresh_token_grant()
    {
        var gcloud = Directory.CreateDirectory(Path.Combine(EmptyHome, ".config", "gcloud")).FullName;
        await File.WriteAllTextAsync(Path.Combine(gcloud, "application_default_credentials.json"), Gcp.AuthorizedUserJson());
        using var env = new EnvironmentOverride(
            ("GOOGLE_APPLICATION_CREDENTIALS", null), ("CLOUDSDK_CONFIG", null), ("HOME", EmptyHome), ("GCE_METADATA_HOST", null));

        var snapshot = await RefreshAsync();

        Assert.Equal(["a1"], snapshot.Instances.Select(i => i.Name));
        Assert.Equal(1, Gcp.TokenRequests);
    }

    [Fact]
    public async Task Without_a_credential_file_the_metadata_server_named_by_gce_metadata_host_supplies_the_token()
    {
        using var env = new EnvironmentOverride(
            ("GOOGLE_APPLICATION_CREDENTIALS", null), ("CLOUDSDK_CONFIG", null), ("HOME", EmptyHome),
            ("GCE_METADATA_HOST", Gcp.MetadataBaseUri.Authority));

        var snapshot = await RefreshAsync();

        Assert.Equal(["a1"], snapshot.Instances.Select(i => i.Name));
        Assert.Equal(1, Gcp.MetadataRequests);
        Assert.Equal(0, Gcp.TokenRequests);
    }

    [Fact]
    public async Task A_credentials_variable_naming_a_missing_file_fails_the_refresh_instead_of_falling_back()
    {
        var missing = Path.Combine(_dir.Path, "missing.json");
        using var env = new EnvironmentOverride(
            ("GOOGLE_APPLICATION_CREDENTIALS", missing), ("CLOUDSDK_CONFIG", null), ("HOME", EmptyHome),
            ("GCE_METADATA_HOST", Gcp.MetadataBaseUri.Authority));

        var snapshot = await RefreshAsync();

        Assert.False(snapshot.IsLoaded);
        Assert.Contains(missing, snapshot.LastError, StringComparison.Ordinal);
        Assert.Equal((0, 0, 0), (Gcp.TokenRequests, Gcp.MetadataRequests, Gcp.ComputeRequests));
    }

    [Fact]
    public async Task A_refresh_token_the_endpoint_does_not_know_is_refused_with_googles_error()
    {
        var file = JsonNode.Parse(Gcp.AuthorizedUserJson())!;
        file["refresh_token"] = "1//0revoked";
        var path = Path.Combine(_dir.Path, "user.json");
        await File.WriteAllTextAsync(path, file.ToJsonString());
        using var env = new EnvironmentOverride(
            ("GOOGLE_APPLICATION_CREDENTIALS", path), ("CLOUDSDK_CONFIG", null), ("HOME", EmptyHome), ("GCE_METADATA_HOST", null));

        var snapshot = await RefreshAsync();

        Assert.False(snapshot.IsLoaded);
        Assert.Contains("invalid_grant", snapshot.LastError, StringComparison.Ordinal);
        Assert.DoesNotContain("1//0revoked", snapshot.LastError, StringComparison.Ordinal);
        Assert.Equal(0, Gcp.ComputeRequests);
    }

    private async Task<InventorySnapshot> RefreshAsync()
    {
        await using var host = await DiscoveryHost.StartAsync(new Dictionary<string, string?>
        {
            ["Discovery:Provider"] = "Gcp",
            ["Discovery:RefreshInterval"] = "01:00:00",
            ["Discovery:Gcp:ProjectId"] = Project,
            ["Discovery:Gcp:Credentials"] = "ApplicationDefault",
            ["Discovery:Gcp:ApiBaseUrl"] = Gcp.ComputeBaseUrl.ToString(),
            ["Discovery:Gcp:RetryDelay"] = "00:00:00.010",
            // The preemption watch off: these tests count token and Compute calls.
            ["Discovery:Gcp:PreemptionPollInterval"] = "00:00:00",
        });
        return await host.WaitForAsync(s => s.IsLoaded || s.ConsecutiveFailures > 0);
    }
}
